package app

import "context"

// Putaway moves received stock from the dock to bins, one scan pair at a
// time: scan the item (or pick a dock line), then the destination bin.
type Putaway struct{ a *App }

// StartPutaway begins a put-away.
func (a *App) StartPutaway() *Putaway { return &Putaway{a: a} }

// State returns what the screen shows.
func (p *Putaway) State() PutawayState { return PutawayState{} }

// SetQty sets how many units to move (0: everything of that SKU and lot at
// the dock).
func (p *Putaway) SetQty(n int64) {}

// Choose selects a dock line without scanning it.
func (p *Putaway) Choose(ctx context.Context, line StockLine) (Feedback, error) {
	return Feedback{}, errTODO
}

// Scan handles a scan: an item at the dock in the first step, the
// destination bin in the second (which writes the put-away event).
func (p *Putaway) Scan(ctx context.Context, text string) (Feedback, error) {
	return Feedback{}, errTODO
}

// Reset goes back to the first step.
func (p *Putaway) Reset() {}
