"""Makes the TLS certificates of the interop tests with trustme (run by start.sh).

Writes into the folder given as the first argument:
  ca.pem                      the test CA a client trusts (httpx's "client.pem")
  server.pem, server.key      for localhost, 127.0.0.1 and ::1
  expired.pem, expired.key    the same names, expired yesterday
  wronghost.pem/.key          for example.org only
  iponly.pem/.key             for the address 127.0.0.1 only (no name)
  unknownca.pem/.key          for localhost, signed by a CA nobody trusts
  client.pem, client.key      a client certificate of the test CA
  client-encrypted.key        the same key, encrypted with the password "secret"
  foreign-client.pem/.key     a client certificate of a CA no server trusts
  ca-dir/                     ca.pem in an OpenSSL hashed folder, for CA bundles given as folders
"""
import subprocess
import datetime
import pathlib
import sys

import trustme
from cryptography.hazmat.primitives import serialization

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
ca = trustme.CA()
ca.cert_pem.write_to_path(str(out / "ca.pem"))


def leaf(name, cert):
    cert.cert_chain_pems[0].write_to_path(str(out / f"{name}.pem"))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(out / f"{name}.pem"), append=True)
    cert.private_key_pem.write_to_path(str(out / f"{name}.key"))
    return cert


local = ("localhost", "127.0.0.1", "::1")
leaf("server", ca.issue_cert(*local))
now = datetime.datetime.now(datetime.timezone.utc)
leaf("expired", ca.issue_cert(*local, not_before=now - datetime.timedelta(days=30),
                              not_after=now - datetime.timedelta(days=1)))
leaf("wronghost", ca.issue_cert("example.org"))
leaf("iponly", ca.issue_cert("127.0.0.1"))
foreign = trustme.CA()
leaf("unknownca", foreign.issue_cert(*local))
leaf("foreign-client", foreign.issue_cert("intruder@example.org"))
client = leaf("client", ca.issue_cert("client@example.org", common_name="swift-httpx test client"))

key = serialization.load_pem_private_key(client.private_key_pem.bytes(), password=None)
(out / "client-encrypted.key").write_bytes(key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.BestAvailableEncryption(b"secret")))

folder = out / "ca-dir"
folder.mkdir(exist_ok=True)
subject_hash = subprocess.run(
    ["openssl", "x509", "-hash", "-noout", "-in", str(out / "ca.pem")],
    check=True, capture_output=True, text=True).stdout.strip()
(folder / f"{subject_hash}.0").write_bytes((out / "ca.pem").read_bytes())
