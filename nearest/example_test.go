package nearest_test

import (
	"fmt"

	"github.com/verbatim-ledger/verbatim/nearest"
	"github.com/verbatim-ledger/verbatim/sketch"
)

func ExampleIndex_Nearest() {
	versions := map[string]string{
		"letter@1": "Hails and salutes to all the sponsors and organizers, our fellow participating countrymen\n",
		"letter@2": "Hails and salutes to all the sponsors and organisers, our fellow participating countrymen\n",
		"other@1":  "An unrelated note about the weather in Paris in November\n",
	}
	var x nearest.Index[string]
	for _, key := range []string{"letter@1", "letter@2", "other@1"} {
		s, _ := sketch.Of([]byte(versions[key]))
		x.Add(key, &s)
	}
	text := []byte("Hails and salutes to all the sponsors and organisers, our dear participating countrymen\n")
	q, _ := sketch.Of(text)
	qs := sketch.Shingles(text)
	best, ok, _ := x.Nearest(&q, 5, func(key string) (float64, error) {
		return sketch.Jaccard(qs, sketch.Shingles([]byte(versions[key]))), nil
	})
	fmt.Printf("%v %s %.2f\n", ok, best.Key, best.Similarity)
	// Output:
	// true letter@2 0.57
}
