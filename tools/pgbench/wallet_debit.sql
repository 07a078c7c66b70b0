-- pgbench script: the same wallet debit as POST /api/wallet/pay/ in PostgreSQL: refuse when the
-- balance is short, debit the wallet, credit the revenue account and record the transaction
-- with its balance after, in one transaction (synchronous_commit = on).
\set id random(1, :wallets)
BEGIN;
UPDATE accounts SET balance = balance - 1 WHERE account = 'wallet:' || :id AND balance >= 1;
UPDATE accounts SET balance = balance + 1 WHERE account = 'revenue:marketing';
INSERT INTO wallet_transactions (account, amount, balance_after, created_at)
  SELECT account, -1, balance, now() FROM accounts WHERE account = 'wallet:' || :id;
END;
