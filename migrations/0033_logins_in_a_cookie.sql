-- Logins in progress moved to a signed cookie (web/login.rs): an anonymous `GET /login` writes
-- nothing, so a flood of them cannot take the writer or grow the database.
DROP TABLE web_logins;
