# cases.tcl — the fault cases every fault kind runs, for test/faults/*.tf
# (testfixture only; see faultlib.tcl).
#
# USAGE
#   source [file join [file dirname [info script]] cases.tcl]
#   mig_all_cases {oom*} {delete wal} ?CASE-GLOB?
#
# One case per operation the issue names: the first write to `migrations`
# (storage creation), writes to `migrations` (multi-row INSERT OR REPLACE,
# UPDATE, DELETE), migrate(), migrate() inside the user's transaction,
# rollback(), migrate_refresh(), migrate_dry_run(), migrate_repair(), and a
# read of migration_status.  Each runs in every journal mode given.
source [file join [file dirname [info script]] faultlib.tcl]

# SQL that changes the definitions: 002 edited (still pending), 006 added.
set ::mc_redefine {
  INSERT OR REPLACE INTO migrations(name, up, down) VALUES
    ('002_posts', 'CREATE TABLE posts(id INTEGER PRIMARY KEY, body TEXT);',
                  'DROP TABLE posts;'),
    ('006_tags', 'CREATE TABLE tags(t TEXT);', 'DROP TABLE tags;'),
    ('003_email', 'ALTER TABLE users ADD COLUMN email TEXT;', NULL)
}

proc mig_all_cases {faults modes {only *}} {
  set C {}
  # name prep body ok txn
  lappend C create {} {
    db eval {INSERT INTO migrations(name, up, down)
             VALUES('001_users', 'CREATE TABLE users(id);', 'DROP TABLE users;')}
  } {} 0
  lappend C write {define_all db 3} {db eval $::mc_redefine} {} 0
  lappend C update {define_all db 5} {
    db eval {UPDATE migrations SET down = down || ' -- v2' WHERE name > '002'}
  } {} 0
  lappend C delete {define_all db 5} {
    db eval {DELETE FROM migrations WHERE name > '002'}
  } {} 0
  lappend C migrate {define_all db 5} {db eval {SELECT migrate()}} 5 0
  lappend C migrate-txn {define_all db 5} {db eval {SELECT migrate()}} 5 1
  lappend C rollback {define_all db 5; db eval {SELECT migrate()}} {
    db eval {SELECT rollback()}
  } 5 0
  lappend C refresh {
    define_all db 5; db eval {SELECT migrate('002_posts')}; db eval {SELECT migrate()}
  } {db eval {SELECT migrate_refresh()}} 5 0
  lappend C dryrun {define_all db 5} {db eval {SELECT migrate_dry_run()}} 5 0
  lappend C repair {
    define_all db 5; db eval {SELECT migrate()}
    db eval {UPDATE migrations SET up = up || ' ' WHERE name IN ('002_posts','004_view')}
    db eval {DELETE FROM migrations WHERE name = '005_rebuild'}
  } {db eval {SELECT migrate_repair()}} 3 0
  lappend C status {
    define_all db 5; db eval {SELECT migrate('003_email')}
    db eval {UPDATE migrations SET up = up || ' ' WHERE name = '002_posts'}
    db eval {DELETE FROM migrations WHERE name = '001_users'}
  } {db eval {SELECT name, state, batch FROM migration_status}} {
    001_users missing 1 002_posts changed 1 003_email applied 1
    004_view pending {} 005_rebuild pending {}
  } 0

  foreach mode $modes {
    foreach {name prep body ok txn} $C {
      if {![string match $only $name]} continue
      set ok [list {*}$ok]
      mig_fault_case $name-$mode $faults $mode $prep $body $ok $txn
    }
  }
}
