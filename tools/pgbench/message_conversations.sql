-- pgbench script: the PostgreSQL peer of GET /api/messages/conversations/: one client's
-- conversations, the latest first, with the last message and the counterpart's name.
\set id random(1, :clients)
SELECT c.counterpart, u.name, c.unread, c.messages, m.id, m.sender, m.content, m.created_at
  FROM conversations c JOIN messages m ON m.id = c.last_message
  JOIN users u ON u.id = c.counterpart
  WHERE c.user_id = 'client:' || :id ORDER BY c.last_at DESC LIMIT 50;
