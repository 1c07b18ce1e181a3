CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  cents INTEGER NOT NULL CHECK (cents >= 0)
);
