package server

import "sync"

// Hub tells subscribers when a warehouse's ledger grows. Notifications are
// coalesced: a slow subscriber sees the latest head, never a queue.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{}
}

// Subscription receives the heads of one warehouse on C.
type Subscription struct {
	C         <-chan uint64
	c         chan uint64
	hub       *Hub
	warehouse string
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[*Subscription]struct{}{}} }

// Subscribe starts notifications for a warehouse; call Close when done.
func (h *Hub) Subscribe(warehouse string) *Subscription {
	c := make(chan uint64, 1)
	s := &Subscription{C: c, c: c, hub: h, warehouse: warehouse}
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

// Publish announces a warehouse's new head to its subscribers.
func (h *Hub) Publish(warehouse string, head uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[warehouse] {
		head := head
		for {
			select {
			case s.c <- head:
			default:
				// Replace a pending, older head with this one.
				select {
				case old := <-s.c:
					if old > head {
						head = old
					}
				default:
				}
				continue
			}
			break
		}
	}
}
