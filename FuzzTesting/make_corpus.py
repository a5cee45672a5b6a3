#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into Corpus/<Target>/.

The seeds are small, realistic inputs, valid ones and slightly broken ones, in the input
format each target's source describes at its top. Run it again after changing a format:
`python3 FuzzTesting/make_corpus.py` (it replaces the folders it writes).
"""
import gzip
import os
import shutil
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "Corpus")


def b(text):
    return text.encode("utf-8") if isinstance(text, str) else text


def gz(data):
    # A fixed mtime, so the seeds are the same bytes on every run.
    return gzip.compress(data, mtime=0)


def raw_deflate(data):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


TEXT = b("The quick brown fox jumps over the lazy dog. " * 20 + "{\"k\": [1, 2, 3], \"s\": \"caf\u00e9\"}\n")

SEEDS = {
    "FuzzURL": [
        # base \n reference \n NO_PROXY list or mount pattern
        "https://example.org/a/b/c?x=1#frag\n../d?y=2\nexample.org, 10.0.0.0/8",
        "http://a/b/c/d;p?q\ng;x?y#s\nall://*.a",
        "HTTPS://User:Pa%20ss@Example.ORG:443/a b?q=1\n//other.example/x\nhttps://example.org:443",
        "http://[::1]:8080/path\n/absolute/./x/../y\n::1, [fd00::]/8",
        "http://example.com:99999/\n?only-query\n*",
        "https://b\u00fccher.example/\u00e4?\u00fc=1#\u00f6\n#frag-only\n.example",
        "http://h/%zz%41%\nmailto:x@y\nlocalhost:8080",
        "https://example.org/api/\nusers/../../../etc/passwd\n",
        "http://[fe80::1%25eth0]/\nhttp:relative\nall://[fe80::1]",
        "  \t http://example.org/?a=1&b=&c&=d&a=2+3 \n",
        "http://user@host:@evil.example:80@x/\n../../..\nhttp://*example.org:8080",
        "ftp://example.org:21/file;type=i\n.\n",
    ],
    "FuzzSetCookie": [
        # response URL \n Set-Cookie values, one a line
        "https://www.example.com/a/b\nsession=abc; Path=/; Secure; HttpOnly; SameSite=Lax\n"
        "theme=dark; Domain=.example.com; Max-Age=3600\nold=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
        "http://example.org/\nid=1; Secure\nx=2; Domain=other.org\n=novalue\nnoequals\n ; ; ;",
        "https://sub.example.co.uk/dir/page\na=b; Domain=co.uk\nc=d; Domain=example.co.uk; Path=rel\n"
        "e=f; Max-Age=-1\ng=h; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=10",
        "k=v; expires=Sunday, 06-Nov-94 08:49:37 GMT\nk2=v; expires=Sun Nov  6 08:49:37 1994\n"
        "k3=v; expires=99 jan 1 00:00:00\nk4=v; expires=31 feb 1600 25:61:61",
        "http://192.168.0.1:8080/x\na=1; Domain=168.0.1\nb=2; Domain=192.168.0.1",
        "https://[::1]/\nq=\"quoted value\"; Path=/; Max-Age=99999999999999999999\nq=; Max-Age=0",
        "https://EXAMPLE.com/\nName=Value; DOMAIN=Example.COM.; PATH=/; SECURE; samesite=None; Priority=High",
    ],
    "FuzzNetrc": [
        "machine api.example.org\nlogin alice\npassword s3cret\n",
        "machine a.example login a password pa account acct\n"
        "default login anonymous password user@example.org\n"
        "macdef init\ncd /pub\nbinary\n\nmachine b.example login b password \"with space\"\n",
        "# comment line\nmachine \"quoted host\" login \"al\\\"ice\" password p\\ ss # trailing\n",
        "machine\n",
        "login orphan\n",
        "machine x.example login\n",
        "machine w.example\r\n\tlogin win\r\n\tpassword crlf\r\n",
        "machine u.example login \"unterminated\npassword x\n",
        "machine one login 1\nmachine ONE login 2\nfoo bar\n",
    ],
    "FuzzAuthChallenge": [
        # one WWW-Authenticate value a line; the first byte also picks the request
        "Digest realm=\"api@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
        "Basic realm=\"simple\", charset=\"UTF-8\"\nDigest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        "Digest realm=\"x\", nonce=\"n\", algorithm=MD5-sess, stale=TRUE, userhash=true",
        "Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token expired\"\n"
        "Negotiate YIIB8gYGKwYBBQUCoIIB5jCCAeI=",
        "Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256\nDigest nonce=\"n\"",
        "Digest realm=\"unterminated, nonce=\"n\\\"",
        "Digest realm=x,nonce=y,qop=auth-conf",
        "Apidigest realm=\"a\" nonce=, , ,=\"\", Digest realm=\"b\", nonce=\"c\", qop=auth, algorithm=SHA",
        "Eigest realm=\"r\", nonce=\"\u00e9\u00e8\", opaque=\"o\", qop=\"auth-int\"",
    ],
    "FuzzLinkHeader": [
        "<https://api.example.com/items?page=2>; rel=\"next\", <https://api.example.com/items?page=5>; rel=\"last\"",
        "</items?page=1>; rel=prev; title=\"a, b; c\"\n<items?page=3>; rel=\"next\"",
        "<https://example.org/>; rel=\"preconnect\"; crossorigin, <https://cdn.example/s.css>; rel=preload; as=style",
        "<unterminated; rel=next, rel=\"x\", <>; rel=\"\"",
        "<http://a/b?c=\"d\">; rel=\"alternate\"; type=\"text/html\"; hreflang=de;;;=x",
        "<//other.example/x>; REL=Next; Rel=\"prev\", <../up>; rel=\"up\"",
    ],
    "FuzzContentType": [
        # selector byte, Content-Type line, body
        b"\x00text/html; charset=ISO-8859-1\nna\xefve caf\xe9\r\nline two\r\n",
        b("\x05application/json; charset=\"utf-8\"\n{\"k\": \"\u00e9\u20ac\U0001F600\"}\n"),
        b"\x06text/plain; charset=utf-16\n\xff\xfeh\x00i\x00\n\x00",
        b"\x0btext/plain;charset=windows-1252\n\x80\x93quoted\x94\r\x85",
        b"\x02text/plain\n\xff\xfeA\x00\n\x00",
        b"\x1ctext/plain; charset=unknown-8bit; format=flowed\nabc\xc3",
        b"\x01text/csv; charset=\nrow1\rrow2\n\nrow4",
        b"\x10text/plain; charset=UTF-16BE\n\x00h\x00i\xd8\x3d",
        b"\x0dtext/plain; CHARSET = \"us-ascii\" ; q=1\nplain \xff ascii",
    ],
    "FuzzMultipart": [
        # Content-Type, field name, field value, file name, file content type \n file contents
        "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW\nfield\nvalue\nreport.csv\ntext/csv\na,b\n1,2\n",
        b"multipart/form-data; boundary=\"quoted boundary\"\nna\"me\nv\\al\rue\nfile\x01name.png\n\n\x89PNG\r\n\x1a\n",
        "application/json\nx\ny\n\n\n",
        b"MULTIPART/FORM-DATA;BOUNDARY=abc;charset=utf-8\nname\n\nphoto.JPG\nimage/jpeg\n\xff\xd8\xff\xe0",
        "multipart/form-data; boundary=\nempty\nboundary\n.hidden\nx/y\n--\r\n",
        b("multipart/form-data; boundary=\"\"; boundary=second\n\u00e9\u00e8\n\u20ac\nd\u00e9j\u00e0.txt\n\n"),
        "multipart/form-data; boundary=\"unbalanced\nf\nv\narchive.tar.gz\napplication/gzip; x=\"y\"\ncontent",
    ],
    "FuzzHTTP1Response": [
        # selector byte (method in bits 0-2, piece size in bits 3-5), then the server's bytes
        b"\x00HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
        b"\x08HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
        b"\x01HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Encoding: gzip\r\n\r\n",
        b"\x02HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
        b"\x18HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody until the connection closes",
        b"\x00HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello",
        b"\x00HTTP/1.1 2000 OK\r\nContent-Length: -1\r\n\r\n",
        b"\x20HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"\x00HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\x10HTTP/1.1 204 No Content\nX: y\n  folded\n\n",
        b"\x00HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"a\"\r\n\r\n",
        b"\x28HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"\x00HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nffffffffffffffff\r\n",
    ],
    "FuzzContentDecoding": [
        # selector byte (coding in bits 0-1, piece size in bits 2-4), then the body
        b"\x00" + gz(TEXT),
        b"\x01" + zlib.compress(TEXT),
        b"\x05" + raw_deflate(TEXT),
        b"\x02" + gz(gz(TEXT)),
        b"\x03" + gz(zlib.compress(TEXT)),
        b"\x04" + gz(TEXT)[:-7],
        b"\x00" + gz(b"abc") + b"trailing garbage",
        b"\x1c" + gz(b"first member ") + gz(b"second member"),
        b"\x00" + gz(TEXT)[:-8] + b"\xde\xad\xbe\xef" + gz(TEXT)[-4:],
        b"\x01",
        b"\x08" + gz(bytes(256 * 1024)),
        b"\x01\x78\x9c\x03\x00\x00\x00\x00\x01",
    ],
    "FuzzProxyHandshake": [
        # selector byte (bit 0: CONNECT or SOCKS5; bits 1-2 target; bit 3 credentials; bits 5-7 piece size)
        b"\x00HTTP/1.1 200 Connection established\r\n\r\n",
        b"\x00HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0\r\n\r\n",
        b"\x20HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\n\n\x16\x03\x01",
        b"\x00HTTP/2 200\r\n\r\n",
        b"\x40ICY 200 OK\r\n\r\n",
        b"\x01\x05\x00\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90",
        b"\x09\x05\x02\x01\x00\x05\x00\x00\x03\x0bexample.com\x01\xbb",
        b"\x03\x05\x00\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00",
        b"\x25\x05\x00\x05\x00\x00\x04" + bytes(range(16)) + b"\x00\x50tunnelled",
        b"\x01HTTP/1.1 400 Bad Request\r\n\r\n",
        b"\x09\x05\xff",
        b"\x09\x05\x02\x01\x01",
        b"\x07\x05\x00",
    ],
}


def main():
    for target, seeds in SEEDS.items():
        folder = os.path.join(CORPUS, target)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for index, seed in enumerate(seeds):
            with open(os.path.join(folder, "seed-%02d" % index), "wb") as handle:
                handle.write(b(seed))
    print("wrote", sum(len(s) for s in SEEDS.values()), "seeds for", len(SEEDS), "targets")


if __name__ == "__main__":
    main()
