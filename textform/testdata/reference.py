# An independent reading of docs/TEXT.md §2 in Python: recomputes the SHA-256
# of every vector in vectors.json. Run from the repository root:
# python3 textform/testdata/reference.py
import json, hashlib, base64, unicodedata
ok = True
for v in json.load(open('textform/testdata/vectors.json')):
    b = base64.b64decode(v['input'])
    try:
        s = b.decode('utf-8')
    except UnicodeDecodeError:
        ok &= v.get('error') == 'not-utf8'
        continue
    s = s.lstrip('\ufeff').replace('\r\n', '\n').replace('\r', '\n')
    s = unicodedata.normalize('NFC', s)
    s = '\n'.join(l.rstrip(' \t') for l in s.split('\n')).rstrip('\n')
    if s:
        s += '\n'
    same = hashlib.sha256(s.encode()).hexdigest() == v['sha256']
    print(v['name'], 'ok' if same else 'DIFFERS')
    ok &= same
raise SystemExit(0 if ok else 1)
