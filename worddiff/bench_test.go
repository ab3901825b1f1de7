package worddiff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchText returns about 4 KiB of words and a copy with changed words
// replaced.
func benchText(changed int) (string, string) {
	r := rand.New(rand.NewPCG(1, 2))
	ws := make([]string, 620)
	for i := range ws {
		ws[i] = fmt.Sprintf("w%d", r.IntN(3000))
	}
	a := strings.Join(ws, " ")
	for _, i := range r.Perm(len(ws))[:changed] {
		ws[i] = "changed"
	}
	return a, strings.Join(ws, " ")
}

// BenchmarkCompare diffs a 4 KiB text against copies with 1, 10 and 50
// words changed, and (worst case within the word limit) against an unrelated
// text of the same size, which falls back to lines.
func BenchmarkCompare(b *testing.B) {
	for _, changed := range []int{1, 10, 50} {
		x, y := benchText(changed)
		b.Run(fmt.Sprintf("changed=%d", changed), func(b *testing.B) {
			for b.Loop() {
				if _, err := Compare(x, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	x, _ := benchText(0)
	y := strings.ReplaceAll(x, "w", "v")
	b.Run("unrelated", func(b *testing.B) {
		for b.Loop() {
			if _, err := Compare(x, y); err != nil {
				b.Fatal(err)
			}
		}
	})
}
