# An independent reading of docs/TEXT.md §3–§4 in Python: recomputes every
# sketch in vectors.json. Run from the repository root: python3 sketch/testdata/reference.py
import json,hashlib,base64,struct,unicodedata,sys
IGN={'\u00ad','\u0640','\u200c','\u200d'}; SEP={',','.','\u066b','\u066c'}
def isword(c): return c not in IGN and unicodedata.category(c)[0] in 'LM' or unicodedata.category(c)=='Nd'
# Simple lowercase mapping: str.lower is the full mapping, which differs only for U+0130.
def lower(c): return 'i' if c == '\u0130' else c.lower()
def isdig(c): return unicodedata.category(c)=='Nd'
def keys(s):
    out=[];i=0;n=len(s)
    while i<n:
        c=s[i]
        if isword(c):
            j=i+1
            while j<n:
                d=s[j]
                if isword(d) or d in IGN: j+=1; continue
                if d in SEP and isdig(s[j-1]) and j+1<n and isdig(s[j+1]): j+=1; continue
                break
            out.append(''.join(lower(ch) for ch in s[i:j] if ch not in IGN)); i=j
        else: i+=1
    return out
def h64(b): return struct.unpack('>Q',hashlib.sha256(b).digest()[:8])[0]
M=2**64
P=[((h64(f"verbatim/minhash/v1/{i}/a".encode())|1),h64(f"verbatim/minhash/v1/{i}/b".encode())) for i in range(128)]
def sketch(t):
    k=keys(t)
    sh=[' '.join(k[i:i+3]) for i in range(len(k)-2)] if len(k)>=3 else ([' '.join(k)] if k else [])
    hs={h64(x.encode()) for x in sh}
    s=[min(((a*h+b)%M)>>32 for h in hs) for a,b in P]
    return base64.b64encode(b''.join(struct.pack('>I',x) for x in s)).decode(), len(hs)
v=json.load(open('sketch/testdata/vectors.json'))
for t in v['texts']:
    s,n=sketch(t['text']); print(t['name'], s==t['sketch'], n==t['shingles'])
