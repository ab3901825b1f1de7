// Package web is verbatim's read-only web interface to a ledger: the pages
// and JSON API of `verbatim serve`.
//
// What it guarantees:
//
//   - It never writes to the ledger. It opens it with ledger.Open and reads
//     through the ledger package's exported API only; every version it shows,
//     offers for download or names in an answer is first checked against its
//     signed entry (ledger.VerifyVersion, Content, Bundle).
//   - A change of the ledger's branch (a git pull, a register by another
//     process) is picked up without a restart: the branch reference is read at
//     most once per Options.CheckEvery, and a new tip is opened (and so
//     checked) before it replaces the old one. If the new tip does not open,
//     the server keeps answering from the last state it could check and says
//     so on every page and in every API answer.
//   - No part of a URL reaches the file system: documents are found by id
//     (validated by records.CheckDocID) and version number in the ledger, and
//     the page's own files are embedded in the binary.
//   - All text from the ledger and from users is escaped (html/template); the
//     Content-Security-Policy allows scripts only from this server's own
//     embedded files (no inline script, no event-handler attributes, no CDN).
//   - Request bodies are capped (Options.MaxBody); a larger upload gets a 413
//     page that says the limit.
//   - The verify page answers without JavaScript (a plain form). Its second
//     part checks an offline proof bundle (docs/BUNDLE.md) entirely in the
//     browser with WebCrypto, against a key fingerprint the reader supplies;
//     nothing from the server is trusted there except the page's code itself,
//     and the page says so.
//
// Matching an upload against the ledger goes through the Matcher interface,
// NewTextMatcher (exact, text, nearest, none; package match) by default.
package web
