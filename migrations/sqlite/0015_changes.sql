-- One counter that every write transaction moves as its last statement before COMMIT, so it
-- becomes visible together with the data. Pages cache what they read from the database under the
-- count they saw when the request was authenticated; a different count means something changed
-- (on this instance or any other) and the data is read again.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO changes (id, n) VALUES (1, 0);
