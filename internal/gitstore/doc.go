// Package gitstore is a git repository's object store and refs, as a
// verbatim ledger keeps them: it reads objects by name from loose objects,
// packs (with deltas) and alternates, checking each hashes to its name;
// writes loose objects or one pack, durably; moves a branch atomically
// under a lock; and repacks (GC). It knows git's formats, not the ledger's
// rules: which trees a commit must hold is package ledger's business.
//
// # Guarantees
//
//   - Store.Read returns an object only if it has the type asked for and,
//     unless the caller asks to skip the check because it compares the bytes
//     itself, hashes to its name (SHA-1 of "type size\x00" and the content).
//     A missing object is an *ObjectError wrapping ErrMissing; an unreadable
//     or corrupt one an *ObjectError wrapping ErrCorrupt.
//   - Nothing read is trusted to be sane: every size is bounded by the bytes
//     that hold it (a zlib stream inflates at most 1032 times) and by
//     MaxObjectSize; a chain of deltas by git's own depth limit (4095), by
//     the bytes its deltas take and the bytes they make (64 × MaxObjectSize
//     each), and refused at its first loop; alternates are followed at most
//     five deep, as git does. A read holds one delta and two objects at a
//     time, whatever its chain, so a small hostile file makes it do a
//     bounded amount of work in bounded memory, and never panic (a pack
//     truncated while mapped is an error).
//   - Store.Write and Batch.Finish make every object durable (written
//     under a temporary name, synced, renamed, its directory synced) before
//     they return, so a ref moved afterwards never names an object a crash
//     or power loss could take. A pack's index is renamed into place before
//     the pack, so a kill at any moment leaves no pack or a complete one. A
//     Batch's goroutine compresses into a temporary file that no reader
//     finds until Finish renames it; the Store's readers find it once
//     AddWritten adds it.
//   - Store.GC streams objects into its new packs: its memory grows with
//     the number of objects of one new pack (gcPackBytes of content), not
//     with their bytes; while it packs loose objects it also holds the
//     indexes of the packs present, to skip objects they hold.
//   - Store.SetRef writes the ref through ref.lock, created exclusively as
//     git does, synced and renamed: a reader sees the old value or the new
//     one, and a git process holding the lock is refused with ErrLocked,
//     never overwritten.
//   - Store.Lock is the writers' lock: flock on verbatim.lock in the git
//     directory, released by the kernel if the process dies. Writers (append,
//     pull, sync, GC) take it; readers never do.
//   - Store.GC, under the lock, packs loose objects and merges small packs,
//     reads each new pack back and checks every object before it deletes
//     anything it replaces; a reader that misses an object looks for new
//     packs once before reporting it missing, so concurrent readers are not
//     disturbed and a kill at any moment loses nothing.
//
// # Why its own reader and writer
//
// go-git serves where it fits: plumbing.Hash and object types, ref names,
// reading refs and the repository's config, pack index decoding (idxfile),
// the git index of a working tree, and the transports of clone, pull and
// push. Its object storage does not: verification reads every object of the
// ledger, and go-git's storage/filesystem costs 3.5 to 4 times the time and
// 9 to 26 times the allocations per object (below); it reads alternates only inside the
// repository's directory (so it misses `git clone --shared` and relative or
// chained alternates); and its writer syncs nothing, so a power loss could
// leave a branch naming objects that never reached the disk. BenchmarkRead reads every object of a repository of
// 10,000 blobs of about 1 KiB in 101 trees, hash checked, through both:
//
//	go test -run '^$' -bench BenchmarkRead -benchtime 5x ./internal/gitstore/
//
//	                                 ns/object  allocs/object  B/object
//	one pack, as appending writes it
//	  gitstore                          2,965         1.0        1,049
//	  go-git storage/filesystem        11,583        26.1        3,926
//	the pack git repack -a -d -f makes (deltas)
//	  gitstore                          3,632         3.1        1,600
//	  go-git storage/filesystem        15,021        29.2        4,097
//
// (2 cores of an AMD EPYC shared with other jobs, load about 3.5; repeated
// runs vary by up to 30% in time, but go-git takes 3.5 to 4 times as long,
// allocates 9 to 26 times as often and 2.5 to 4 times as many bytes: the
// one allocation left reading a whole object is its content, which
// Store.ReadInto puts in the caller's buffer instead.)
package gitstore
