package worddiff

import "slices"

// myers returns a shortest edit script from a to b (Myers 1986, "An O(ND)
// Difference Algorithm and Its Variations", §2–3), or false if it needs
// more than MaxEdits edits. Tokens are compared as interned integers.
func myers(a, b []string) ([]edit, bool) {
	ia, ib := intern(a, b)
	n, m := len(ia), len(ib)
	maxD := min(MaxEdits, n+m)
	off := maxD + 1
	v := make([]int32, 2*maxD+3)
	var trace [][]int32 // trace[d][k+d] = furthest x on diagonal k after d edits
	for d := 0; d <= maxD; d++ {
		for k := -d; k <= d; k += 2 {
			x := int(v[off+k-1]) + 1
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = int(v[off+k+1])
			}
			y := x - k
			for x < n && y < m && ia[x] == ib[y] {
				x++
				y++
			}
			v[off+k] = int32(x)
		}
		trace = append(trace, slices.Clone(v[off-d:off+d+1]))
		if k := n - m; k >= -d && k <= d && int(v[off+k]) >= n {
			return backtrack(a, b, trace), true
		}
	}
	return nil, false
}

// backtrack walks the trace from (len(a), len(b)) back to (0, 0).
func backtrack(a, b []string, trace [][]int32) []edit {
	var rev []edit
	x, y := len(a), len(b)
	for d := len(trace) - 1; d > 0; d-- {
		prev := trace[d-1]
		at := func(k int) int { return int(prev[k+d-1]) }
		k := x - y
		pk := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x, y = x-1, y-1
			rev = append(rev, edit{Equal, a[x]})
		}
		if x == px {
			y--
			rev = append(rev, edit{Insert, b[y]})
		} else {
			x--
			rev = append(rev, edit{Delete, a[x]})
		}
	}
	for x > 0 {
		x--
		rev = append(rev, edit{Equal, a[x]})
	}
	slices.Reverse(rev)
	return rev
}

// intern maps equal tokens to equal integers.
func intern(a, b []string) ([]int32, []int32) {
	ids := make(map[string]int32, len(a))
	conv := func(ts []string) []int32 {
		out := make([]int32, len(ts))
		for i, t := range ts {
			id, ok := ids[t]
			if !ok {
				id = int32(len(ids))
				ids[t] = id
			}
			out[i] = id
		}
		return out
	}
	return conv(a), conv(b)
}
