package server

import "sync"

// Hub tells subscribers when a warehouse's ledger grows, and every
// subscriber when the catalog does. Notifications are coalesced: a slow
// subscriber sees the latest head, never a queue.
type Hub struct {
	mu    sync.Mutex
	subs  map[string]map[*Subscription]struct{}
	heads map[string]uint64 // the highest head announced per warehouse
	// catalogHead is the highest catalog head announced.
	catalogHead uint64
}

// Subscription receives the ledger heads of one warehouse on C and the
// catalog heads on Catalog.
type Subscription struct {
	C         <-chan uint64
	Catalog   <-chan uint64
	c         chan uint64
	cat       chan uint64
	hub       *Hub
	warehouse string
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[string]map[*Subscription]struct{}{}, heads: map[string]uint64{}}
}

// Head returns the highest head announced for a warehouse since the hub
// started (0: none).
func (h *Hub) Head(warehouse string) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.heads[warehouse]
}

// Subscribe starts notifications for a warehouse; call Close when done.
func (h *Hub) Subscribe(warehouse string) *Subscription {
	c, cat := make(chan uint64, 1), make(chan uint64, 1)
	s := &Subscription{C: c, Catalog: cat, c: c, cat: cat, hub: h, warehouse: warehouse}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[warehouse] == nil {
		h.subs[warehouse] = map[*Subscription]struct{}{}
	}
	h.subs[warehouse][s] = struct{}{}
	return s
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	delete(s.hub.subs[s.warehouse], s)
	if len(s.hub.subs[s.warehouse]) == 0 {
		delete(s.hub.subs, s.warehouse)
	}
}

// Subscribers counts a warehouse's subscribers (its connected devices).
func (h *Hub) Subscribers(warehouse string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[warehouse])
}

// CatalogHead returns the highest catalog head announced since the hub
// started (0: none).
func (h *Hub) CatalogHead() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.catalogHead
}

// Publish announces a warehouse's new head to its subscribers.
func (h *Hub) Publish(warehouse string, head uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.heads[warehouse] = max(h.heads[warehouse], head)
	for s := range h.subs[warehouse] {
		offer(s.c, head)
	}
}

// PublishCatalog announces the catalog's new head to every subscriber
// (catalog changes concern devices of every warehouse; a device pulls only
// its own).
func (h *Hub) PublishCatalog(head uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.catalogHead = max(h.catalogHead, head)
	for _, subs := range h.subs {
		for s := range subs {
			offer(s.cat, head)
		}
	}
}

// offer puts head on a one-slot channel, replacing a pending older head.
func offer(c chan uint64, head uint64) {
	for {
		select {
		case c <- head:
			return
		default:
			select {
			case old := <-c:
				if old > head {
					head = old
				}
			default:
			}
		}
	}
}
