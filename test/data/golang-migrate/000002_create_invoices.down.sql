DROP TABLE invoices;
