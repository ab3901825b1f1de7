package ledger

import "net/http"

// DetectMediaType is the media type Add records for content when the caller
// gives none: the WHATWG MIME sniffing algorithm as net/http implements it
// (e.g. "text/plain; charset=utf-8", "application/octet-stream"). It reads
// at most the first 512 bytes.
func DetectMediaType(content []byte) string { return http.DetectContentType(content) }
