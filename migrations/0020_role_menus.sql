-- Roles members chose from a `[[roles.menus]]` menu: what the delivery worker converges menu
-- roles on (a press queues the change; a retry of a stale add finds the choice gone). A role
-- belongs to one menu (the config checks it), so (member, role) is the key.
CREATE TABLE chosen_roles (
    member_id INTEGER NOT NULL,
    role_id   INTEGER NOT NULL,
    menu_id   TEXT NOT NULL,
    chosen_at INTEGER NOT NULL,
    PRIMARY KEY (member_id, role_id)
) WITHOUT ROWID;
