package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Size names of our own, for the few texts larger than a heading.
const (
	sizeFeedback fyne.ThemeSizeName = "driftless.feedback" // the feedback panel's title
	sizeKey      fyne.ThemeSizeName = "driftless.key"      // PIN pad keys
	sizeStatus   fyne.ThemeSizeName = "driftless.status"   // the sync status bar
	sizeBin      fyne.ThemeSizeName = "driftless.bin"      // the bin to go to, on the picking screen
)

// Colours of the scan feedback panel and the status bar.
var (
	colGood    = color.NRGBA{R: 0x1b, G: 0x7a, B: 0x3a, A: 0xff}
	colWarn    = color.NRGBA{R: 0xf2, G: 0xb1, B: 0x00, A: 0xff}
	colBad     = color.NRGBA{R: 0xc0, G: 0x1f, B: 0x1f, A: 0xff}
	colOnGood  = color.White
	colOnWarn  = color.Black
	colOnBad   = color.White
	colOffline = color.NRGBA{R: 0x6b, G: 0x72, B: 0x80, A: 0xff}
)

// handheldTheme is Fyne's default theme with larger text, taller controls
// and higher contrast, fixed to one variant (light or dark) whatever the
// platform prefers: the clerk chooses.
type handheldTheme struct {
	base    fyne.Theme
	variant fyne.ThemeVariant
}

// NewTheme returns the handheld theme, light or dark.
func NewTheme(dark bool) fyne.Theme {
	v := theme.VariantLight
	if dark {
		v = theme.VariantDark
	}
	return &handheldTheme{base: theme.DefaultTheme(), variant: v}
}

func (t *handheldTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	dark := t.variant == theme.VariantDark
	pick := func(light, dark_ color.Color) color.Color {
		if dark {
			return dark_
		}
		return light
	}
	switch n {
	case theme.ColorNameBackground:
		return pick(color.White, color.NRGBA{R: 0x0e, G: 0x11, B: 0x14, A: 0xff})
	case theme.ColorNameForeground:
		return pick(color.NRGBA{R: 0x0a, G: 0x0a, B: 0x0a, A: 0xff}, color.NRGBA{R: 0xf4, G: 0xf4, B: 0xf4, A: 0xff})
	case theme.ColorNameButton:
		return pick(color.NRGBA{R: 0xe2, G: 0xe6, B: 0xeb, A: 0xff}, color.NRGBA{R: 0x2b, G: 0x31, B: 0x38, A: 0xff})
	case theme.ColorNameDisabledButton:
		return pick(color.NRGBA{R: 0xee, G: 0xef, B: 0xf1, A: 0xff}, color.NRGBA{R: 0x1c, G: 0x20, B: 0x24, A: 0xff})
	case theme.ColorNameDisabled:
		return pick(color.NRGBA{R: 0x8a, G: 0x8f, B: 0x96, A: 0xff}, color.NRGBA{R: 0x7a, G: 0x80, B: 0x88, A: 0xff})
	case theme.ColorNameInputBackground:
		return pick(color.NRGBA{R: 0xf3, G: 0xf5, B: 0xf8, A: 0xff}, color.NRGBA{R: 0x1d, G: 0x22, B: 0x28, A: 0xff})
	case theme.ColorNameInputBorder:
		return pick(color.NRGBA{R: 0x5a, G: 0x62, B: 0x6c, A: 0xff}, color.NRGBA{R: 0x8a, G: 0x93, B: 0x9e, A: 0xff})
	case theme.ColorNamePlaceHolder:
		return pick(color.NRGBA{R: 0x5f, G: 0x66, B: 0x70, A: 0xff}, color.NRGBA{R: 0x9a, G: 0xa2, B: 0xac, A: 0xff})
	case theme.ColorNamePrimary:
		return pick(color.NRGBA{R: 0x0b, G: 0x57, B: 0xd0, A: 0xff}, color.NRGBA{R: 0x25, G: 0x63, B: 0xeb, A: 0xff})
	case theme.ColorNameForegroundOnPrimary:
		return color.White
	case theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnWarning, theme.ColorNameForegroundOnSuccess:
		// The dark variant's error, warning and success colours are light:
		// dark text on them (Cancel, Short), white on the light variant's.
		return pick(color.White, color.NRGBA{R: 0x0e, G: 0x11, B: 0x14, A: 0xff})
	case theme.ColorNameError:
		return pick(color.NRGBA{R: 0xb0, G: 0x14, B: 0x14, A: 0xff}, color.NRGBA{R: 0xff, G: 0x6b, B: 0x6b, A: 0xff})
	case theme.ColorNameWarning:
		return pick(color.NRGBA{R: 0x9a, G: 0x5b, B: 0x00, A: 0xff}, color.NRGBA{R: 0xff, G: 0xc1, B: 0x3d, A: 0xff})
	case theme.ColorNameSuccess:
		return pick(color.NRGBA{R: 0x14, G: 0x6c, B: 0x2e, A: 0xff}, color.NRGBA{R: 0x5d, G: 0xd3, B: 0x84, A: 0xff})
	case theme.ColorNameSeparator:
		return pick(color.NRGBA{R: 0xc4, G: 0xc9, B: 0xd0, A: 0xff}, color.NRGBA{R: 0x3a, G: 0x41, B: 0x49, A: 0xff})
	case theme.ColorNameHeaderBackground, theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground:
		return pick(color.NRGBA{R: 0xf6, G: 0xf7, B: 0xf9, A: 0xff}, color.NRGBA{R: 0x17, G: 0x1b, B: 0x20, A: 0xff})
	}
	return t.base.Color(n, t.variant)
}

func (t *handheldTheme) Font(s fyne.TextStyle) fyne.Resource { return t.base.Font(s) }

func (t *handheldTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

func (t *handheldTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 19
	case theme.SizeNameHeadingText:
		return 27
	case theme.SizeNameSubHeadingText:
		return 22
	case theme.SizeNameCaptionText:
		return 15
	case theme.SizeNamePadding:
		return 6
	case theme.SizeNameInnerPadding:
		return 13
	case theme.SizeNameInlineIcon:
		return 26
	case theme.SizeNameInputBorder:
		return 2
	case theme.SizeNameScrollBar:
		return 14
	case theme.SizeNameScrollBarSmall:
		return 6
	case theme.SizeNameInputRadius, theme.SizeNameSelectionRadius:
		return 6
	case sizeFeedback:
		return 34
	case sizeKey:
		return 32
	case sizeStatus:
		return 16
	case sizeBin:
		return 52
	}
	return t.base.Size(n)
}

// textOn is a theme that only changes the foreground colour, for text on a
// coloured panel (the feedback panel, the status bar).
type textOn struct {
	fyne.Theme
	fg color.Color
}

func (t textOn) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameForeground {
		return t.fg
	}
	return t.Theme.Color(n, v)
}
