#!/usr/bin/env python3
"""client.py — a minimal dqlite wire-protocol client, for tool/dqlite/check.sh.

The `dqlite` shell wraps every command in BEGIN ... COMMIT.  An application
talks to dqlite differently: each db.Exec() / db.Query() outside a
transaction is a single EXEC_SQL or QUERY_SQL request in autocommit mode.
This client sends exactly those requests, so the check can show which
request paths replicate a `SELECT migrate()` and which do not.

USAGE
    python3 client.py HOST:PORT[,HOST:PORT...] DATABASE exec  "SQL"
    python3 client.py HOST:PORT[,HOST:PORT...] DATABASE query "SQL"

    exec   one EXEC_SQL request (go-dqlite: db.Exec), prints nothing
    query  one QUERY_SQL request (go-dqlite: db.Query), prints the rows,
           columns separated by '|', NULL as <nil> (as the dqlite shell does)

    Exit status 0 on success; 1 with "Error: <code> <message>" on stderr
    when the server answers with a failure; 2 when no leader is reachable.

HOW IT WORKS
    Protocol version 1 (dqlite 1.x): the client sends the 8-byte version,
    then messages of an 8-byte header (body length in 8-byte words, type,
    flags, extra) and a body of little-endian 64-bit words and NUL-ended
    strings padded to 8 bytes.  It asks the given nodes for the leader
    (LEADER), connects to it, opens the database (OPEN) and sends one
    EXEC_SQL or QUERY_SQL without parameters.  Only the response types
    needed here are decoded: FAILURE, NODE, DB, RESULT and ROWS (integer,
    float, text, blob, null).  Standard library only; no TLS.
"""
import socket
import struct
import sys

REQ_LEADER, REQ_OPEN, REQ_EXEC_SQL, REQ_QUERY_SQL = 0, 3, 8, 9
RES_FAILURE, RES_NODE, RES_DB, RES_RESULT, RES_ROWS = 0, 1, 4, 6, 7
ROWS_DONE = 0xEEEEEEEEEEEEEEEE
ROWS_PART = 0xFFFFFFFFFFFFFFFF


class Failure(Exception):
    pass


def text(s):
    b = s.encode() + b"\0"
    return b + b"\0" * (-len(b) % 8)


def u64(v):
    return struct.pack("<Q", v)


class Body:
    def __init__(self, data):
        self.data, self.off = data, 0

    def u64(self):
        v, = struct.unpack_from("<Q", self.data, self.off)
        self.off += 8
        return v

    def i64(self):
        v, = struct.unpack_from("<q", self.data, self.off)
        self.off += 8
        return v

    def f64(self):
        v, = struct.unpack_from("<d", self.data, self.off)
        self.off += 8
        return v

    def text(self):
        end = self.data.index(b"\0", self.off)
        s = self.data[self.off:end].decode(errors="replace")
        self.off = end + 1
        self.off += -self.off % 8
        return s

    def blob(self):
        n = self.u64()
        b = self.data[self.off:self.off + n]
        self.off += n + (-n % 8)
        return b


class Conn:
    def __init__(self, address, timeout=10.0):
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sock.sendall(u64(1))   # protocol version 1

    def call(self, mtype, body):
        self.sock.sendall(struct.pack("<IBBH", len(body) // 8, mtype, 0, 0) + body)
        head = self.recv(8)
        words, rtype, _, _ = struct.unpack("<IBBH", head)
        data = Body(self.recv(words * 8))
        if rtype == RES_FAILURE:
            code = data.u64()
            raise Failure("%d %s" % (code, data.text()))
        return rtype, data

    def recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by the server")
            buf += chunk
        return buf


def find_leader(servers):
    for address in servers:
        try:
            c = Conn(address, timeout=2.0)
            rtype, body = c.call(REQ_LEADER, u64(0))
            body.u64()
            leader = body.text()
            c.sock.close()
            if leader:
                return leader
        except (OSError, Failure):
            continue
    return None


def rows(body):
    out = []
    ncol = body.u64()
    for _ in range(ncol):
        body.text()
    while True:
        marker, = struct.unpack_from("<Q", body.data, body.off)
        if marker in (ROWS_DONE, ROWS_PART):
            return out
        hdr = body.data[body.off:body.off + (ncol + 1) // 2]
        body.off += ((ncol + 1) // 2 + 7) // 8 * 8
        row = []
        for i in range(ncol):
            t = (hdr[i // 2] >> (4 * (i % 2))) & 0x0F
            if t in (1, 9, 11):
                row.append(str(body.i64()))
            elif t == 2:
                row.append(repr(body.f64()))
            elif t in (3, 10):
                row.append(body.text())
            elif t == 4:
                row.append(body.blob().hex())
            else:
                body.u64()
                row.append("<nil>")
        out.append("|".join(row))


def main(argv):
    if len(argv) != 5 or argv[3] not in ("exec", "query"):
        sys.stderr.write(__doc__.split("USAGE")[1].split("HOW")[0])
        return 2
    servers, database, mode, sql = argv[1].split(","), argv[2], argv[3], argv[4]
    leader = find_leader(servers)
    if leader is None:
        sys.stderr.write("Error: no leader among %s\n" % ",".join(servers))
        return 2
    try:
        c = Conn(leader)
        _, body = c.call(REQ_OPEN, text(database) + u64(0) + text(""))
        db = struct.unpack_from("<I", body.data, 0)[0]
        if mode == "exec":
            c.call(REQ_EXEC_SQL, u64(db) + text(sql))
        else:
            rtype, body = c.call(REQ_QUERY_SQL, u64(db) + text(sql))
            for line in rows(body):
                print(line)
    except Failure as e:
        sys.stderr.write("Error: %s\n" % e)
        return 1
    except (OSError, ConnectionError) as e:
        sys.stderr.write("Error: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
