-- The PostgreSQL peer of the wallet debit benchmark: accounts with balances in cents and a
-- transaction history, as the ledger's inline read models hold them.
CREATE TABLE accounts (account text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE wallet_transactions (id bigserial PRIMARY KEY, account text NOT NULL,
  amount bigint NOT NULL, balance_after bigint NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO accounts SELECT 'wallet:' || i, 100000000000 FROM generate_series(1, 64) AS i;
INSERT INTO accounts VALUES ('revenue:marketing', 0);

-- The PostgreSQL peer of the messages benchmark: messages, each user's side of a conversation
-- (the "messages" fold's conversation rows) and the users listed with them.
CREATE TABLE users (id text PRIMARY KEY, name text NOT NULL);
INSERT INTO users SELECT 'client:' || i, 'Bench ' || i FROM generate_series(1, 64) AS i;
INSERT INTO users VALUES ('admin', 'Admin');
CREATE TABLE messages (id bigserial PRIMARY KEY, sender text NOT NULL, recipient text NOT NULL,
  content text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE conversations (user_id text NOT NULL, counterpart text NOT NULL,
  messages bigint NOT NULL, unread bigint NOT NULL, last_message bigint NOT NULL,
  last_at timestamptz NOT NULL, PRIMARY KEY (user_id, counterpart));
CREATE INDEX conversations_recent ON conversations (user_id, last_at DESC);
