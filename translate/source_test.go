package translate

// The tests of this package render events decoded from CODING payloads,
// but cannot import translate/coding, which imports translate (an import
// cycle). external_test.go, in package translate_test, which may,
// hands coding's functions to SetTestSource before any test runs.

var testSource struct {
	decode     func(name string, body []byte) (*Event, error)
	sampleName func(file string) string
}

// SetTestSource is for external_test.go: decode is coding.Decode,
// sampleName coding.SampleEventName.
func SetTestSource(decode func(name string, body []byte) (*Event, error), sampleName func(file string) string) {
	testSource.decode, testSource.sampleName = decode, sampleName
}

// Decode is coding.Decode, for the tests.
func Decode(name string, body []byte) (*Event, error) { return testSource.decode(name, body) }

// SampleEventName is coding.SampleEventName, for the tests.
func SampleEventName(file string) string { return testSource.sampleName(file) }

// decodeSample is coding.DecodeSample, for Check and Samples.
func decodeSample(file string, body []byte) (*Event, error) {
	return Decode(SampleEventName(file), body)
}
