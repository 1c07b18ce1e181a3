DROP TABLE album;
