package witness

// SetCheckedHook sets a function Cosign runs between accepting a checkpoint
// and writing the state; nil removes it.
func SetCheckedHook(f func()) { testHookChecked = f }
