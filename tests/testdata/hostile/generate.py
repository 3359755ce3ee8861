#!/usr/bin/env python3
"""Regenerates the hostile corpus (tests/testdata/hostile): every case is one small file, written deterministically.
Big inputs are either small compressed bombs or generated at test time (see README.md). Run from anywhere:
    python3 tests/testdata/hostile/generate.py
Needs python3 and the zstd command (Debian package zstd)."""
import gzip, io, os, struct, subprocess, tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = os.path.join(HERE, "..", "modules")


def write(area, name, data):
    os.makedirs(os.path.join(HERE, area), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(HERE, area, name), "wb") as f:
        f.write(data)


MODULE_HEAD = """apiVersion: kmm.sigs.x-k8s.io/v1beta1
kind: Module
metadata:
  name: hostile
  namespace: default
"""

# --- manifests: KMM Module / PreflightValidation inputs -----------------------------------------------------------
laughs = MODULE_HEAD + "spec:\n  lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
for i in range(1, 10):
    laughs += f"  lol{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]\n"
laughs += "  moduleLoader:\n    container:\n      modprobe: {moduleName: *a9}\n      kernelMappings: *a9\n"
write("manifests", "alias-bomb.yaml", laughs)
# The same chain as a mapping key (valid YAML): YamlDotNet hashes a key over its whole expansion.
write("manifests", "alias-bomb-as-key.yaml", laughs.split("  moduleLoader:")[0] + "  ? *a9\n  : x\n")
# A List whose item aliases the list holding it: reading its items would never end.
write("manifests", "alias-cycle.yaml", "apiVersion: v1\nkind: List\nitems: &i [{apiVersion: v1, kind: List, items: *i}]\n")
# afl++ finding (copied, not generated): a mutated chain whose tail YamlDotNet reads as sequences used as mapping keys;
# took about 12 s in ManifestLoader.Parse before aliases were counted.
write("manifests", "fuzz-alias-chain-as-keys.yaml", 'apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: Module\nmetadata:\n  name: hos\n  namespace: det\nspec:\n  lol0: &a0 [lol, lol, ll, lol, lol, lol]\n  lol1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n  lol2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]***************\n  lol3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\n  lol4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\n  lol5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\n  lol6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *G5, *a5, *a5]\n  lol7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]\n  lol8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]\n  lol9: &a9 [*a8, *8, *a8, *a8, *a8]\n  moduleLoader:\n    container:\n      modprobe: {modu*a9}\n      kernelMjjappings: *a9\n')
write("manifests", "deep-flow-nesting.yaml", MODULE_HEAD + "spec: " + "[" * 20000 + "]" * 20000 + "\n")
write("manifests", "deep-map-nesting.yaml", MODULE_HEAD + "spec: " + "{a: " * 20000 + "b" + "}" * 20000 + "\n")
write("manifests", "deep-nesting.json", '{"apiVersion":"kmm.sigs.x-k8s.io/v1beta1","kind":"Module","metadata":{"name":"x"},"spec":'
      + "[" * 20000 + "]" * 20000 + "}")
# afl++ finding: a key twice in JSON threw ArgumentException from YamlDotNet's mapping node.
write("manifests", "fuzz-duplicate-json-keys.json", '{"apiVersion":"kmm.sigs.x-k8s.io/v1beta1","kind":"Module","kind":"Module","metadata":{"name":"x"}}\n')
write("manifests", "wrong-type-spec.yaml", MODULE_HEAD + "spec: just a string\n")
write("manifests", "wrong-type-kernel-mappings.yaml", MODULE_HEAD + "spec:\n  moduleLoader:\n    container:\n      modprobe: {moduleName: m}\n      kernelMappings: 5\n")
write("manifests", "wrong-type-name.yaml", "apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: Module\nmetadata:\n  name: [1, 2]\n")
write("manifests", "wrong-type-kind.yaml", "apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: {Module: true}\nmetadata: {name: x}\n")
write("manifests", "unterminated-flow.yaml", MODULE_HEAD + "spec: {moduleLoader: [a, b\n")
write("manifests", "duplicate-keys.yaml", MODULE_HEAD + "spec: {}\nspec: {}\n")
write("manifests", "tab-indentation.yaml", MODULE_HEAD + "spec:\n\tmoduleLoader: {}\n")
write("manifests", "invalid-utf8.yaml", MODULE_HEAD.encode() + b"spec:\n  x: \xff\xfe\xc3\x28\n")
write("manifests", "nul-bytes.yaml", MODULE_HEAD.encode() + b"spec:\n  x: a\x00b\n")
write("manifests", "truncated.json", '{"apiVersion":"kmm.sigs.x-k8s.io/v1beta1","kind":"Module","metadata":{"name":"x"},"spec":{"moduleLoader":')
write("manifests", "trailing-garbage.json", '{"apiVersion":"kmm.sigs.x-k8s.io/v1beta1","kind":"Module","metadata":{"name":"x"}} }}} garbage')
write("manifests", "list-items-not-maps.yaml", "apiVersion: v1\nkind: List\nitems: [1, \"two\", [3]]\n")
write("manifests", "alias-before-anchor.yaml", MODULE_HEAD + "spec: *nowhere\n")
write("manifests", "huge-number.json", '{"apiVersion":"kmm.sigs.x-k8s.io/v1beta1","kind":"Module","metadata":{"name":"x","generation":1e999999}}')
write("manifests", "kind-list-nested-bomb.yaml", "apiVersion: v1\nkind: List\nitems: &i [{kind: List, apiVersion: v1, items: []}]\nother: *i\n")
write("manifests", "secret-bad-base64.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: pull, namespace: default}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: '%%%not base64%%%'\n")

# --- references: one image reference per file (no newline) --------------------------------------------------------
refs = {
    "empty": "",
    "only-colon": ":",
    "space-in-repository": "127.0.0.1:5000/kmm/du mmy:1",
    "newline-in-tag": "127.0.0.1:5000/kmm/dummy:1\nHost: evil",
    "control-character": "127.0.0.1:5000/kmm/\x1bdummy:1",
    "unicode-host": "rëgistry.example:5000/kmm/dummy:1",
    "uppercase-repository": "127.0.0.1:5000/KMM/Dummy:1",
    "tag-too-long": "127.0.0.1:5000/kmm/dummy:" + "t" * 200,
    "digest-bad-hex": "127.0.0.1:5000/kmm/dummy@sha256:" + "z" * 64,
    "digest-short": "127.0.0.1:5000/kmm/dummy@sha256:abc",
    "digest-unknown-algorithm": "127.0.0.1:5000/kmm/dummy@md5:d41d8cd98f00b204e9800998ecf8427e",
    "double-at": "127.0.0.1:5000/kmm/dummy@@sha256:" + "0" * 64,
    "port-out-of-range": "127.0.0.1:99999/kmm/dummy:1",
    "path-traversal": "127.0.0.1:5000/kmm/../../v2/_catalog:1",
    "percent-encoded": "127.0.0.1:5000/kmm%2F..%2Fdummy:1",
    "query-string": "127.0.0.1:5000/kmm/dummy:1?ns=evil",
    "userinfo": "user:password@127.0.0.1:5000/kmm/dummy:1",
    "scheme": "https://127.0.0.1:5000/kmm/dummy:1",
    "double-slash": "127.0.0.1:5000//kmm/dummy:1",
    "trailing-colon": "127.0.0.1:5000/kmm/dummy:",
}
for name, ref in refs.items():
    write("references", name + ".txt", ref)

# --- oci: image manifests and indexes -----------------------------------------------------------------------------
D = "sha256:" + "a" * 64
desc = '{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":10}'
cfg = '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":10}' % D
write("oci", "manifests-and-layers.json", '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",%s,"layers":[%s],"manifests":[%s]}' % (cfg, desc % D, desc % D))
write("oci", "bad-digest-hex.json", '{"schemaVersion":2,%s,"layers":[%s]}' % (cfg, desc % ("sha256:" + "Z" * 64)))
write("oci", "bad-digest-length.json", '{"schemaVersion":2,%s,"layers":[%s]}' % (cfg, desc % "sha256:abcd"))
write("oci", "bad-digest-algorithm.json", '{"schemaVersion":2,%s,"layers":[%s]}' % (cfg, desc % ("md5:" + "a" * 32)))
write("oci", "digest-path-traversal.json", '{"schemaVersion":2,%s,"layers":[%s]}' % (cfg, desc % "sha256:../../../../etc/passwd"))
write("oci", "negative-size.json", '{"schemaVersion":2,%s,"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":-1}]}' % (cfg, D))
write("oci", "huge-size.json", '{"schemaVersion":2,%s,"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":99999999999999999999999}]}' % (cfg, D))
write("oci", "layers-not-array.json", '{"schemaVersion":2,%s,"layers":{"a":1}}' % cfg)
write("oci", "missing-config.json", '{"schemaVersion":2,"layers":[]}')
write("oci", "schema-1.json", '{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[]}')
write("oci", "not-an-object.json", '[1,2,3]')
write("oci", "deep-nesting.json", '{"schemaVersion":2,"annotations":' + "[" * 5000 + "]" * 5000 + "}")
write("oci", "duplicate-layers-key.json", '{"schemaVersion":2,%s,"layers":[],"layers":[%s]}' % (cfg, desc % D))
write("oci", "truncated.json", '{"schemaVersion":2,%s,"layers":[' % cfg)
write("oci", "index-bad-platform.json", '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":10,"platform":"linux/amd64"}]}' % D)
# Found by MutationFuzzTests: invalid UTF-8 inside a JSON string made JsonElement.GetString throw InvalidOperationException.
write("oci", "fuzz-invalid-utf8-in-string.json", ('{"schemaVersion":2,%s,"layers":[],"annotations":{"a":"' % cfg).encode() + b"\xc3\x28" + b'"}}')
write("oci", "media-type-contradiction.json", '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",%s,"layers":[]}' % cfg)


# --- tar layers ---------------------------------------------------------------------------------------------------
def header(name, size=0, typeflag=b"0", linkname=b"", size_field=None, checksum=None):
    h = bytearray(512)
    h[0:len(name)] = name[:100]
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = size_field if size_field is not None else (b"%011o\0" % size)
    h[136:148] = b"00000000000\0"
    h[156:157] = typeflag
    h[157:157 + len(linkname)] = linkname[:100]
    h[257:265] = b"ustar\x0000"
    h[148:156] = b"        "
    s = sum(h) if checksum is None else checksum
    h[148:156] = b"%06o\0 " % s
    return bytes(h)


def entry(name, data=b"", **kw):
    pad = (-len(data)) % 512
    return header(name, len(data), **kw) + data + b"\0" * pad


END = b"\0" * 1024
pax = b"%d path=x\n"
write("tar", "pax-header-claims-huge-size.tar", header(b"PaxHeaders/x", size=1 << 32, typeflag=b"x") + b"\0" * 512)
write("tar", "pax-header-truncated.tar", header(b"PaxHeaders/x", size=4096, typeflag=b"x") + b"20 path=" + b"a" * 100)
write("tar", "pax-bad-record-length.tar", entry(b"PaxHeaders/x", b"99999 path=a\n", typeflag=b"x") + entry(b"a") + END)
write("tar", "pax-negative-size.tar", entry(b"PaxHeaders/x", b"16 size=-100\n", typeflag=b"x") + entry(b"a") + END)
write("tar", "pax-path-nul.tar", entry(b"PaxHeaders/x", b"15 path=a\0/b\n", typeflag=b"x") + entry(b"a") + END)
write("tar", "gnu-long-name-huge.tar", header(b"././@LongLink", size=1 << 30, typeflag=b"L") + b"a" * 512)
write("tar", "path-traversal-dotdot.tar", entry(b"../../etc/passwd", b"root:x:0:0\n") + END)
write("tar", "absolute-name.tar", entry(b"/etc/passwd", b"root:x:0:0\n") + END)
write("tar", "symlink-loop.tar", entry(b"a", typeflag=b"2", linkname=b"b") + entry(b"b", typeflag=b"2", linkname=b"a") + END)
write("tar", "symlink-self.tar", entry(b"a", typeflag=b"2", linkname=b"a") + END)
write("tar", "symlink-escape.tar", entry(b"lib", typeflag=b"2", linkname=b"../../../../..") + END)
write("tar", "hardlink-missing-target.tar", entry(b"a", typeflag=b"1", linkname=b"does/not/exist") + END)
write("tar", "hardlink-self.tar", entry(b"a", typeflag=b"1", linkname=b"a") + END)
write("tar", "bad-checksum.tar", entry(b"a", b"x", checksum=1) + END)
write("tar", "bad-octal-size.tar", header(b"a", size_field=b"zzzzzzzzzzz\0") + END)
write("tar", "base256-huge-size.tar", header(b"a", size_field=b"\x80" + b"\x7f" + b"\xff" * 10) + END)
write("tar", "truncated-data.tar", header(b"a", size=100000) + b"x" * 1000)
write("tar", "truncated-header.tar", entry(b"a", b"x")[:700])
write("tar", "no-end-marker.tar", entry(b"a", b"x"))
write("tar", "garbage.tar", bytes((i * 7919) % 251 for i in range(4096)))

# --- compression: bombs (small compressed, huge uncompressed) and broken streams ----------------------------------
GIB = 1 << 30


def zero_tar(size):
    """A tar with one entry of `size` zero bytes, streamed (never held in memory)."""
    yield header(b"zeros", size)
    chunk = b"\0" * (1 << 20)
    left = size + ((-size) % 512) + 1024
    while left:
        n = min(left, len(chunk))
        yield chunk[:n]
        left -= n


def gzip_bomb(path, size):
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        for part in zero_tar(size):
            gz.write(part)


os.makedirs(os.path.join(HERE, "compression"), exist_ok=True)
gzip_bomb(os.path.join(HERE, "compression", "gzip-bomb-1gib.tar.gz"), GIB)
zstd = subprocess.Popen(["zstd", "-19", "-q", "-c", "--no-check"], stdin=subprocess.PIPE, stdout=open(os.path.join(HERE, "compression", "zstd-bomb-1gib.tar.zst"), "wb"))
for part in zero_tar(GIB):
    zstd.stdin.write(part)
zstd.stdin.close()
zstd.wait()
small = entry(b"a", b"hello\n" * 1000) + END
gz = gzip.compress(small, mtime=0)
write("compression", "truncated.tar.gz", gz[: len(gz) // 2])
write("compression", "bad-crc.tar.gz", gz[:-8] + b"\0\0\0\0" + gz[-4:])
write("compression", "garbage-after-gzip.tar.gz", gz + b"this is not a gzip member")
write("compression", "bad-deflate.tar.gz", gz[:10] + b"\xff" * 64 + gz[74:])
zs = subprocess.run(["zstd", "-q", "-c"], input=small, stdout=subprocess.PIPE, check=True).stdout
write("compression", "truncated.tar.zst", zs[: len(zs) // 2])
write("compression", "bad-frame.tar.zst", zs[:4] + b"\xff" * 16 + zs[20:])


# --- elf: kernel modules with a broken .modinfo or ELF structure (derived from a real module) ---------------------
def sections(elf):
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    strtab_off, = struct.unpack_from("<Q", elf, shoff + shstrndx * shentsize + 0x18)
    for i in range(shnum):
        at = shoff + i * shentsize
        name_off, = struct.unpack_from("<I", elf, at)
        end = elf.index(b"\0", strtab_off + name_off)
        yield elf[strtab_off + name_off:end].decode(), at


ko = open(os.path.join(MODULES, "dummy.ko"), "rb").read()
unsigned = ko[: ko.rindex(b"~Module signature appended~\n")] if ko.endswith(b"~Module signature appended~\n") else ko
sig_len, = struct.unpack_from(">I", ko, len(ko) - 28 - 4)
unsigned = ko[: len(ko) - 28 - 12 - sig_len]
modinfo_at = dict(sections(unsigned))[".modinfo"]
mi_off, mi_size = struct.unpack_from("<QQ", unsigned, modinfo_at + 0x18)


def patched(at, fmt, *values, data=unsigned):
    b = bytearray(data)
    struct.pack_into(fmt, b, at, *values)
    return bytes(b)


write("elf", "modinfo-outside-file.ko", patched(modinfo_at + 0x18, "<QQ", len(unsigned) - 4, 4096))
write("elf", "modinfo-offset-overflow.ko", patched(modinfo_at + 0x18, "<QQ", (1 << 63) - 1, 1 << 62))
write("elf", "modinfo-no-terminator.ko", bytes(unsigned[:mi_off]) + unsigned[mi_off:mi_off + mi_size].replace(b"\0", b"A") + unsigned[mi_off + mi_size:])
write("elf", "modinfo-empty.ko", patched(modinfo_at + 0x20, "<Q", 0))
write("elf", "section-count-huge.ko", patched(0x3C, "<H", 0xFFFF))
write("elf", "section-header-entry-size-zero.ko", patched(0x3A, "<H", 0))
write("elf", "string-table-index-out-of-range.ko", patched(0x3E, "<H", 0xFFF0))
write("elf", "section-headers-outside-file.ko", patched(0x28, "<Q", 1 << 40))
write("elf", "truncated-header.ko", unsigned[:40])
write("elf", "not-elf.ko", b"MZ" + unsigned[2:256])
write("elf", "empty.ko", b"")
write("elf", "elf32-class.ko", patched(4, "B", 1)[:2048])
write("elf", "big-endian.ko", patched(5, "B", 2))

# --- signatures: corrupt module signature trailers (appended to the real unsigned module) -------------------------
MARK = b"~Module signature appended~\n"
real_sig = ko[len(unsigned):]
pkcs7 = ko[len(unsigned): len(unsigned) + sig_len]


def trailer(sig_len, id_type=2, algo=0, hash_=0):
    return struct.pack(">BBBBB3xI", algo, hash_, id_type, 0, 0, sig_len)


write("signatures", "length-larger-than-module.ko", unsigned + pkcs7 + trailer(1 << 31 - 1) + MARK)
write("signatures", "length-zero.ko", unsigned + trailer(0) + MARK)
write("signatures", "truncated-trailer.ko", MARK)
write("signatures", "marker-only.ko", b"\0" * 8 + MARK)
write("signatures", "garbage-pkcs7.ko", unsigned + bytes((i * 31) % 256 for i in range(300)) + trailer(300) + MARK)
write("signatures", "pkcs7-truncated.ko", unsigned + pkcs7[:sig_len // 2] + trailer(sig_len // 2) + MARK)
write("signatures", "pkcs7-huge-der-length.ko", unsigned + b"\x30\x84\x7f\xff\xff\xff" + pkcs7[6:] + trailer(sig_len) + MARK)
write("signatures", "id-type-unknown.ko", unsigned + pkcs7 + trailer(sig_len, id_type=7) + MARK)
write("signatures", "pkcs7-flipped-byte.ko", unsigned + pkcs7[:sig_len - 40] + bytes([pkcs7[sig_len - 40] ^ 0xFF]) + pkcs7[sig_len - 39:] + trailer(sig_len) + MARK)
write("signatures", "module-body-altered.ko", unsigned[:100] + bytes([unsigned[100] ^ 1]) + unsigned[101:] + real_sig)
