package decode

import (
	"fmt"
	"strings"

	"github.com/makiuchi-d/gozxing"
)

// Format names a barcode symbology. The values are ZXing's format names, so
// that logs and JSON output read the same as every other ZXing-based tool.
type Format string

// The symbologies the decoder reads.
const (
	QRCode     Format = "QR_CODE"
	DataMatrix Format = "DATA_MATRIX"
	Aztec      Format = "AZTEC"
	EAN13      Format = "EAN_13"
	EAN8       Format = "EAN_8"
	UPCA       Format = "UPC_A"
	UPCE       Format = "UPC_E"
	Code128    Format = "CODE_128"
	Code39     Format = "CODE_39"
	Code93     Format = "CODE_93"
	ITF        Format = "ITF"
	Codabar    Format = "CODABAR"
)

// formatInfo is what the decoder knows about each format.
type formatInfo struct {
	format  Format
	zxing   gozxing.BarcodeFormat
	linear  bool   // a 1D (linear) symbology, read row by row
	aimCode string // AIM symbology identifier prefix, "]" + code + modifier
}

// formats lists every supported format in the order a multi-format scan
// tries them within its kind (2D matrix codes, then 1D codes).
var formats = []formatInfo{
	{QRCode, gozxing.BarcodeFormat_QR_CODE, false, "]Q"},
	{DataMatrix, gozxing.BarcodeFormat_DATA_MATRIX, false, "]d"},
	{Aztec, gozxing.BarcodeFormat_AZTEC, false, "]z"},
	{EAN13, gozxing.BarcodeFormat_EAN_13, true, "]E"},
	{EAN8, gozxing.BarcodeFormat_EAN_8, true, "]E"},
	{UPCA, gozxing.BarcodeFormat_UPC_A, true, "]E"},
	{UPCE, gozxing.BarcodeFormat_UPC_E, true, "]E"},
	{Code128, gozxing.BarcodeFormat_CODE_128, true, "]C"},
	{Code39, gozxing.BarcodeFormat_CODE_39, true, "]A"},
	{Code93, gozxing.BarcodeFormat_CODE_93, true, "]G"},
	{ITF, gozxing.BarcodeFormat_ITF, true, "]I"},
	{Codabar, gozxing.BarcodeFormat_CODABAR, true, "]F"},
}

// AllFormats returns every format the decoder can read, 2D codes first.
func AllFormats() []Format {
	all := make([]Format, len(formats))
	for i, f := range formats {
		all[i] = f.format
	}
	return all
}

func (f Format) info() (formatInfo, bool) {
	for _, fi := range formats {
		if fi.format == f {
			return fi, true
		}
	}
	return formatInfo{}, false
}

// Linear reports whether f is a one-dimensional (bar) symbology.
func (f Format) Linear() bool {
	fi, _ := f.info()
	return fi.linear
}

// Valid reports whether the decoder supports f.
func (f Format) Valid() bool {
	_, ok := f.info()
	return ok
}

func (f Format) String() string { return string(f) }

// ParseFormat reads a format name case-insensitively, accepting the ZXing
// spelling ("UPC_A") and the common variants without the underscore or with
// a dash ("upca", "UPC-A", "qrcode").
func ParseFormat(s string) (Format, error) {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToUpper(s))
	}
	want := norm(s)
	for _, fi := range formats {
		if norm(string(fi.format)) == want {
			return fi.format, nil
		}
	}
	return "", fmt.Errorf("parse format %q: unknown barcode format", s)
}

// fromZXing maps a gozxing format to ours; ok is false for formats this
// package does not enable (PDF417, MaxiCode, RSS).
func fromZXing(z gozxing.BarcodeFormat) (Format, bool) {
	for _, fi := range formats {
		if fi.zxing == z {
			return fi.format, true
		}
	}
	return "", false
}
