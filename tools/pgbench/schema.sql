-- The PostgreSQL peer of the wallet debit benchmark: accounts with balances in cents and a
-- transaction history, as the ledger's inline read models hold them.
CREATE TABLE accounts (account text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE wallet_transactions (id bigserial PRIMARY KEY, account text NOT NULL,
  amount bigint NOT NULL, balance_after bigint NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO accounts SELECT 'wallet:' || i, 100000000000 FROM generate_series(1, 64) AS i;
INSERT INTO accounts VALUES ('revenue:marketing', 0);
