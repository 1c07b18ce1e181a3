DELETE FROM invoices;
DELETE FROM accounts;
