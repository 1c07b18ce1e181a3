#!/bin/sh
# sql2c.sh NAME < file.sql > file.c
# Turns an SQL file into a C file defining `const char NAME[]` with its text,
# so the storage schema is written once, in sql/, and embedded at build time.
# Comment-only lines are dropped (they are for readers of the .sql file).
name=$1
echo "/* Generated from an SQL file of sql/ by tool/sql2c.sh: do not edit. */"
echo "const char $name[] ="
sed -e '/^[[:space:]]*--/d' -e '/^[[:space:]]*$/d' \
    -e 's/[[:space:]]*--.*$//' \
    -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/  "/' -e 's/$/\\n"/'
echo ";"
