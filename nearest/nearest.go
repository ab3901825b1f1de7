package nearest

import (
	"fmt"

	"github.com/verbatim-ledger/verbatim/sketch"
)

// Nearest returns, among the n best candidates for q, the one whose exact
// similarity is highest, as exact reports it for a key (for example
// sketch.Jaccard of the query's and the candidate's shingle sets, the
// candidate's text read from the ledger). Ties go to the better estimate.
// ok is false when no sketch shares a band with q. An error from exact is
// returned, wrapped with the key.
func (x *Index[K]) Nearest(q *sketch.Sketch, n int, exact func(K) (float64, error)) (best Candidate[K], ok bool, err error) {
	for _, c := range x.Candidates(q, n) {
		sim, err := exact(c.Key)
		if err != nil {
			return Candidate[K]{}, false, fmt.Errorf("comparing with %v: %w", c.Key, err)
		}
		if !ok || sim > best.Similarity {
			best, ok = Candidate[K]{c.Key, sim}, true
		}
	}
	return best, ok, nil
}
