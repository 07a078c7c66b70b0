-- pgbench script: the PostgreSQL peer of POST /api/messages/: store the message and move both
-- sides of the conversation (count, unread, last message) in one transaction
-- (synchronous_commit = on), as the ledger's "messages" fold does in its commit.
\set id random(1, :clients)
BEGIN;
INSERT INTO messages (sender, recipient, content, created_at)
  VALUES ('client:' || :id, 'admin',
          'Can we move the launch to Friday? The new visuals are nearly ready.', now());
INSERT INTO conversations AS c (user_id, counterpart, messages, unread, last_message, last_at)
  VALUES ('client:' || :id, 'admin', 1, 0, currval('messages_id_seq'), now())
  ON CONFLICT (user_id, counterpart) DO UPDATE
  SET messages = c.messages + 1, last_message = EXCLUDED.last_message, last_at = EXCLUDED.last_at;
INSERT INTO conversations AS c (user_id, counterpart, messages, unread, last_message, last_at)
  VALUES ('admin', 'client:' || :id, 1, 1, currval('messages_id_seq'), now())
  ON CONFLICT (user_id, counterpart) DO UPDATE
  SET messages = c.messages + 1, unread = c.unread + 1, last_message = EXCLUDED.last_message,
      last_at = EXCLUDED.last_at;
END;
