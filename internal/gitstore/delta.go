package gitstore

import (
	"errors"
	"fmt"
)

// applyDelta applies a git delta to base: a header of the base's size and
// the result's size (7-bit varints, least significant first), then
// instructions that copy a range of base or insert literal bytes. Every
// size and range is checked before it is used, and the result may not
// exceed MaxObjectSize nor the size its header declares.
func applyDelta(base, delta []byte) ([]byte, error) {
	baseSize, delta, err := deltaVarint(delta)
	if err != nil {
		return nil, err
	}
	size, delta, err := deltaVarint(delta)
	if err != nil {
		return nil, err
	}
	if baseSize != uint64(len(base)) {
		return nil, fmt.Errorf("delta for a base of %d bytes applied to one of %d", baseSize, len(base))
	}
	if size > MaxObjectSize {
		return nil, fmt.Errorf("delta makes an object of %d bytes, more than the %d bytes a ledger object may have", size, int64(MaxObjectSize))
	}
	// The result is allocated as it grows, not by the declared size: a few
	// bytes of delta may declare a large result they do not make.
	out := make([]byte, 0, min(size, uint64(len(base)+len(delta))))
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		switch {
		case op&0x80 != 0:
			var off, n uint64
			for i := uint(0); i < 7; i++ {
				if op&(1<<i) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, errDeltaTruncated
				}
				if i < 4 {
					off |= uint64(delta[0]) << (8 * i)
				} else {
					n |= uint64(delta[0]) << (8 * (i - 4))
				}
				delta = delta[1:]
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) {
				return nil, fmt.Errorf("delta copies bytes %d to %d of a base of %d", off, off+n, len(base))
			}
			if uint64(len(out))+n > size {
				return nil, errDeltaOverrun
			}
			out = append(out, base[off:off+n]...)
		case op != 0:
			n := uint64(op)
			if uint64(len(delta)) < n {
				return nil, errDeltaTruncated
			}
			if uint64(len(out))+n > size {
				return nil, errDeltaOverrun
			}
			out = append(out, delta[:n]...)
			delta = delta[n:]
		default:
			return nil, errors.New("delta holds the reserved instruction 0")
		}
	}
	if uint64(len(out)) != size {
		return nil, fmt.Errorf("delta makes %d bytes, its header says %d", len(out), size)
	}
	return out, nil
}

// maxDeltaWork bounds the bytes a chain of deltas makes: the sizes of the
// objects its deltas make, the one read and every one between, added up.
// Each may be up to MaxObjectSize, and a few bytes of delta make one (a
// delta that copies its whole base), so without a bound a pack of a few
// kilobytes made a read build 4,095 objects of 64 MiB, hundreds of GiB
// (TestPackReadDeltaChainWork). With it a read costs at most what reading
// 64 objects of the largest size does, and chains as git makes them (`git
// gc`: at most 50 deep) stay within it for objects of every size a ledger
// holds: a repacked ledger of large documents must not fail verification.
// (A variable only so that tests can lower it.)
var maxDeltaWork int64 = 64 * MaxObjectSize

// maxDeltaBytes bounds the bytes the deltas of a chain take, inflated. A
// delta's size is bounded only by what its compressed bytes inflate to, so a
// pack of 1 MiB holds 1 GiB of deltas, which a read inflates twice (resolve
// inflates each again as it applies it, so as not to hold them all). git
// makes no delta larger than half the object it makes, so its chains stay
// within this bound as they stay within maxDeltaWork.
var maxDeltaBytes int64 = 64 * MaxObjectSize

// chainCost adds up what the deltas of a chain cost, as they are read.
type chainCost struct{ bytes, work int64 }

// add counts delta, outermost first, and returns an error once the chain
// costs more than maxDeltaBytes or maxDeltaWork: before anything is applied.
func (c *chainCost) add(delta []byte) error {
	c.bytes += int64(len(delta))
	c.work += deltaWork(delta)
	if c.bytes > maxDeltaBytes {
		return fmt.Errorf("a chain of deltas of more than %d bytes in all", maxDeltaBytes)
	}
	if c.work > maxDeltaWork {
		return fmt.Errorf("a chain of deltas that makes more than %d bytes of objects in all", maxDeltaWork)
	}
	return nil
}

// deltaWork returns the size of the object delta makes, as its header
// states it (applyDelta makes exactly that or fails), and at most
// MaxObjectSize+1 (applyDelta refuses more): what applying it costs.
func deltaWork(delta []byte) int64 {
	_, rest, err := deltaVarint(delta)
	if err != nil {
		return 0
	}
	size, _, err := deltaVarint(rest)
	if err != nil {
		return 0
	}
	return int64(min(size, MaxObjectSize+1))
}

var (
	errDeltaTruncated = errors.New("delta is cut off")
	errDeltaOverrun   = errors.New("delta makes more bytes than its header says")
)

// deltaVarint reads a delta header's size: 7 bits a byte, least
// significant first, while the high bit is set.
func deltaVarint(b []byte) (uint64, []byte, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if len(b) == 0 {
			return 0, nil, errDeltaTruncated
		}
		if shift > 56 {
			return 0, nil, errors.New("delta size too large")
		}
		c := b[0]
		b = b[1:]
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, b, nil
		}
	}
}
