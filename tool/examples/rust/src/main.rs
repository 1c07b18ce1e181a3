//! libmigrate from Rust with rusqlite: defines three migrations, migrates,
//! prints the status, rolls back.
//!
//!     cargo run -- /path/to/libmigrate.so [app.db]
//!
//! The file name libmigrate.so makes SQLite call the entry point
//! sqlite3_migrate_init (rusqlite's entry_point argument can stay None).
use rusqlite::{params, Connection, LoadExtensionGuard};

fn main() -> rusqlite::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let ext = args.get(1).expect("usage: libmigrate-example /path/to/libmigrate.so [app.db]");
    let conn = Connection::open(args.get(2).map(String::as_str).unwrap_or("app.db"))?;
    unsafe {
        // loading stays enabled only while the guard lives
        let _guard = LoadExtensionGuard::new(&conn)?;
        conn.load_extension(ext, None)?;
    }

    // At start-up: register every migration, then apply what is pending.
    let migrations = [
        ("001_users", "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);", "DROP TABLE users;"),
        ("002_posts", "CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT);", "DROP TABLE posts;"),
        ("003_users_email", "ALTER TABLE users ADD COLUMN email TEXT;", "ALTER TABLE users DROP COLUMN email;"),
    ];
    for (name, up, down) in migrations {
        conn.execute("INSERT OR REPLACE INTO migrations(name, up, down) VALUES (?1, ?2, ?3)",
                     params![name, up, down])?;
    }
    let applied: i64 = conn.query_row("SELECT migrate()", [], |r| r.get(0))?;
    println!("applied {}", applied);

    let mut stmt = conn.prepare("SELECT name, state, batch FROM migration_status")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<i64>>(2)?))
    })?;
    for row in rows {
        let (name, state, batch) = row?;
        println!("{} {} {}", name, state, batch.unwrap_or(0));
    }

    let reverted: i64 = conn.query_row("SELECT rollback()", [], |r| r.get(0))?;
    println!("rolled back {}", reverted);
    let version: Option<String> = conn.query_row("SELECT migrate_version()", [], |r| r.get(0))?;
    println!("version {:?}", version);
    Ok(())
}
