// Command example: libmigrate from Go with mattn/go-sqlite3.  Defines three
// migrations, migrates, prints the status, rolls back.
//
//	go run . /path/to/libmigrate.so [app.db]
//
// The driver loads the extension into every connection it opens (its
// Extensions list); the file name libmigrate.so makes SQLite call the entry
// point sqlite3_migrate_init.
package main

import (
	"database/sql"
	"fmt"
	"log"
	"os"

	sqlite3 "github.com/mattn/go-sqlite3"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: example /path/to/libmigrate.so [app.db]")
	}
	file := "app.db"
	if len(os.Args) > 2 {
		file = os.Args[2]
	}
	sql.Register("sqlite3_migrate", &sqlite3.SQLiteDriver{Extensions: []string{os.Args[1]}})
	db, err := sql.Open("sqlite3_migrate", file)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// At start-up: register every migration, then apply what is pending.
	migrations := []struct{ name, up, down string }{
		{"001_users", "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);", "DROP TABLE users;"},
		{"002_posts", "CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT);", "DROP TABLE posts;"},
		{"003_users_email", "ALTER TABLE users ADD COLUMN email TEXT;", "ALTER TABLE users DROP COLUMN email;"},
	}
	for _, m := range migrations {
		if _, err := db.Exec("INSERT OR REPLACE INTO migrations(name, up, down) VALUES (?, ?, ?)",
			m.name, m.up, m.down); err != nil {
			log.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow("SELECT migrate()").Scan(&n); err != nil {
		log.Fatal(err) // e.g. "migrate: 002_posts failed: ..."
	}
	fmt.Println("applied", n)

	rows, err := db.Query("SELECT name, state, batch FROM migration_status")
	if err != nil {
		log.Fatal(err)
	}
	for rows.Next() {
		var name, state string
		var batch sql.NullInt64
		if err := rows.Scan(&name, &state, &batch); err != nil {
			log.Fatal(err)
		}
		fmt.Println(name, state, batch.Int64)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	rows.Close()

	if err := db.QueryRow("SELECT rollback()").Scan(&n); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rolled back", n)
	var version sql.NullString
	if err := db.QueryRow("SELECT migrate_version()").Scan(&version); err != nil {
		log.Fatal(err)
	}
	if version.Valid {
		fmt.Println("version", version.String)
	} else {
		fmt.Println("version NULL")
	}
}
