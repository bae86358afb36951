package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Catalog is the reference data service: SKUs and their barcodes,
// warehouses and locations, suppliers, purchase and sales orders. Each
// collection creates, updates, archives and imports its records with the
// same rules; every change gets a catalog change position in the
// transaction that makes it, so devices can pull the changes after a
// cursor (Changes) once they hold a snapshot (View, listing by key).
type Catalog struct {
	store  CatalogStore
	ledger *Ledger
	now    func() time.Time
	log    *slog.Logger
	// heads is the catalog head as last read (catalog_sync.go).
	heads catalogHeads

	SKUs           *Collection[SKU]
	Barcodes       *Collection[Barcode]
	Warehouses     *Collection[Warehouse]
	Locations      *Collection[Location]
	Suppliers      *Collection[Supplier]
	PurchaseOrders *Collection[PurchaseOrder]
	SalesOrders    *Collection[SalesOrder]
	Users          *Collection[User]
	// PickLists are read here; waves, assignment and picks write them
	// (picking.go).
	PickLists *Collection[PickList]
}

// NewCatalog returns the catalog over a store. The ledger is the one
// opening stock goes through; its clock and logger are the catalog's.
func NewCatalog(store CatalogStore, ledger *Ledger) *Catalog {
	c := &Catalog{store: announcingStore{store, ledger.hub}, ledger: ledger, now: ledger.now, log: ledger.log}
	c.SKUs = &Collection[SKU]{cat: c, Kind: KindSKU, Noun: "SKU",
		key:  func(s *SKU) CatalogKey { return CatalogKey{Code: s.Code} },
		meta: func(s *SKU) *Meta { return &s.Meta }, validate: (*SKU).Validate,
		refs: func(*checker, *SKU, *SKU) {},
		get:  func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (SKU, error) { return tx.SKU(ctx, k.Code) },
		list: CatalogReadTx.SKUs, put: CatalogTx.PutSKU,
	}
	c.Barcodes = &Collection[Barcode]{cat: c, Kind: KindBarcode, Noun: "barcode",
		key:  func(b *Barcode) CatalogKey { return CatalogKey{Code: b.Value} },
		meta: func(b *Barcode) *Meta { return &b.Meta }, validate: (*Barcode).Validate,
		refs: (*checker).barcode,
		get: func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (Barcode, error) {
			return tx.Barcode(ctx, k.Code)
		},
		list: CatalogReadTx.Barcodes, put: CatalogTx.PutBarcode,
	}
	c.Warehouses = &Collection[Warehouse]{cat: c, Kind: KindWarehouse, Noun: "warehouse",
		key:  func(w *Warehouse) CatalogKey { return CatalogKey{Warehouse: w.Code, Code: w.Code} },
		meta: func(w *Warehouse) *Meta { return &w.Meta }, validate: (*Warehouse).Validate,
		refs: func(*checker, *Warehouse, *Warehouse) {},
		get: func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (Warehouse, error) {
			return tx.Warehouse(ctx, k.Code)
		},
		list: CatalogReadTx.Warehouses, put: CatalogTx.PutWarehouse,
	}
	c.Locations = &Collection[Location]{cat: c, Kind: KindLocation, Noun: "location",
		key:  func(l *Location) CatalogKey { return CatalogKey{Warehouse: l.Warehouse, Code: l.Code} },
		meta: func(l *Location) *Meta { return &l.Meta }, validate: (*Location).Validate,
		refs: (*checker).location,
		get: func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (Location, error) {
			return tx.Location(ctx, k.Warehouse, k.Code)
		},
		list: CatalogReadTx.Locations, put: CatalogTx.PutLocation,
		unique: func(l *Location) (string, string) {
			if l.Barcode == "" {
				return "", ""
			}
			return "barcode", l.Warehouse + "\x00" + l.Barcode
		},
	}
	c.Suppliers = &Collection[Supplier]{cat: c, Kind: KindSupplier, Noun: "supplier",
		key:  func(s *Supplier) CatalogKey { return CatalogKey{Code: s.Code} },
		meta: func(s *Supplier) *Meta { return &s.Meta }, validate: (*Supplier).Validate,
		refs: func(*checker, *Supplier, *Supplier) {},
		get: func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (Supplier, error) {
			return tx.Supplier(ctx, k.Code)
		},
		list: CatalogReadTx.Suppliers, put: CatalogTx.PutSupplier,
	}
	c.PurchaseOrders = &Collection[PurchaseOrder]{cat: c, Kind: KindPurchaseOrder, Noun: "purchase order",
		key:  func(o *PurchaseOrder) CatalogKey { return CatalogKey{Warehouse: o.Warehouse, Code: o.Number} },
		meta: func(o *PurchaseOrder) *Meta { return &o.Meta }, validate: (*PurchaseOrder).Validate,
		refs: (*checker).purchaseOrder,
		get: func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (PurchaseOrder, error) {
			return tx.PurchaseOrder(ctx, k.Code)
		},
		list: CatalogReadTx.PurchaseOrders, put: CatalogTx.PutPurchaseOrder,
	}
	c.SalesOrders = &Collection[SalesOrder]{cat: c, Kind: KindSalesOrder, Noun: "sales order",
		key:  func(o *SalesOrder) CatalogKey { return CatalogKey{Warehouse: o.Warehouse, Code: o.Number} },
		meta: func(o *SalesOrder) *Meta { return &o.Meta }, validate: (*SalesOrder).Validate,
		refs: (*checker).salesOrder,
		get: func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (SalesOrder, error) {
			return tx.SalesOrder(ctx, k.Code)
		},
		list: CatalogReadTx.SalesOrders, put: CatalogTx.PutSalesOrder,
	}
	c.Users = &Collection[User]{cat: c, Kind: KindUser, Noun: "user",
		key:  func(u *User) CatalogKey { return CatalogKey{Code: u.Code} },
		meta: func(u *User) *Meta { return &u.Meta }, validate: (*User).Validate,
		refs: func(*checker, *User, *User) {},
		get:  func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (User, error) { return tx.User(ctx, k.Code) },
		list: CatalogReadTx.Users, put: CatalogTx.PutUser,
		prepare: hashPIN,
		keep: func(u, old *User) {
			if u.PINHash == "" {
				u.PINHash = old.PINHash
			}
		},
		audit: func(ctx context.Context, tx CatalogTx, action string, u, old *User) error {
			return auditUser(ctx, tx, action, u, old, c.now().UTC())
		},
	}
	c.PickLists = newPickListCollection(c)
	return c
}

// PINCost is the bcrypt cost of PIN hashes.
const PINCost = 10

// hashPIN replaces a user's PIN by its bcrypt hash. Without a PIN the
// hash is left as it is (Import takes it as given; Update keeps the
// stored one).
func hashPIN(u *User) error {
	if u.PIN == "" {
		return nil
	}
	h, err := bcrypt.GenerateFromPassword([]byte(u.PIN), PINCost)
	if err != nil {
		return fmt.Errorf("hash pin: %w", err)
	}
	u.PINHash, u.PIN = string(h), ""
	return nil
}

// View runs fn on a consistent snapshot of the catalog and the ledger: a
// device snapshot reads CatalogHead, then lists each kind by key in pages,
// all in one View, and continues with Changes after that head.
func (c *Catalog) View(ctx context.Context, fn func(ctx context.Context, tx CatalogReadTx) error) error {
	return c.store.ViewCatalog(ctx, fn)
}

// Changes lists up to limit catalog changes after a position for a
// warehouse's devices (see CatalogReadTx.CatalogChanges) and the head.
func (c *Catalog) Changes(ctx context.Context, warehouse string, after uint64, limit int) ([]CatalogChange, uint64, error) {
	var (
		out  []CatalogChange
		head uint64
	)
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) (err error) {
		if head, err = tx.CatalogHead(ctx); err != nil {
			return err
		}
		out, err = tx.CatalogChanges(ctx, warehouse, after, limit)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list catalog changes after %d: %w", after, err)
	}
	return out, head, nil
}

// Collection is one kind of reference record and the rules its changes
// follow.
type Collection[T any] struct {
	cat *Catalog
	// Kind is the kind of change the collection's records make.
	Kind CatalogKind
	// Noun names one record in messages ("purchase order").
	Noun string

	key      func(*T) CatalogKey
	meta     func(*T) *Meta
	validate func(*T) []Problem
	// refs checks the record against others in the store: references
	// exist, values unique across records are. old is the stored record,
	// nil when it is new.
	refs func(ck *checker, rec, old *T)
	// unique returns a field whose value must be unique among the
	// records of one import besides the key (empty when none).
	unique func(*T) (field, value string)
	get    func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (T, error)
	list   func(tx CatalogReadTx, ctx context.Context, f ListFilter) ([]T, error)
	put    func(tx CatalogTx, ctx context.Context, rec T) (uint64, error)
	// prepare turns input-only fields into stored ones (a user's PIN into
	// its hash) once the record is valid, outside the transaction when it
	// can; nil when there is nothing to do.
	prepare func(*T) error
	// keep carries what an update does not restate (a user's PIN hash)
	// over from the stored record; nil when nothing.
	keep func(rec, old *T)
	// audit records a write in the audit log (users; nil for kinds that
	// are not audited). action is one of create, update, archive,
	// restore, import; old is nil for a new record.
	audit func(ctx context.Context, tx CatalogTx, action string, rec, old *T) error
}

// audited writes the audit entry of a write when the kind is audited.
func (c *Collection[T]) audited(ctx context.Context, tx CatalogTx, action string, rec, old *T) error {
	if c.audit == nil {
		return nil
	}
	return c.audit(ctx, tx, "user."+action, rec, old)
}

// ready validates rec and prepares it for storage.
func (c *Collection[T]) ready(rec *T) error {
	if ps := c.validate(rec); len(ps) > 0 {
		return ps[0].Err()
	}
	if c.prepare != nil {
		return c.prepare(rec)
	}
	return nil
}

// Key returns the record's key.
func (c *Collection[T]) Key(rec *T) CatalogKey { return c.key(rec) }

// Get returns one record; ENotFound when absent. Orders are found by
// number alone: k.Warehouse is ignored for them.
func (c *Collection[T]) Get(ctx context.Context, k CatalogKey) (T, error) {
	var out T
	err := c.cat.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) (err error) {
		out, err = c.get(ctx, tx, k)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("get %s %s: %w", c.Noun, k.Code, err)
	}
	return out, nil
}

// List lists records in key order.
func (c *Collection[T]) List(ctx context.Context, f ListFilter) ([]T, error) {
	var out []T
	err := c.cat.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) (err error) {
		out, err = c.list(tx, ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", c.Noun, err)
	}
	return out, nil
}

// Create adds a new, active record. It is EConflict when the key is
// taken and EInvalid (naming the field) when a rule is broken.
func (c *Collection[T]) Create(ctx context.Context, rec T) (T, error) {
	k := c.key(&rec)
	err := c.ready(&rec)
	if err != nil {
		return rec, fmt.Errorf("create %s %s: %w", c.Noun, k.Code, err)
	}
	err = c.cat.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		if _, err := c.get(ctx, tx, k); err == nil {
			return Errorf(EConflict, "%s %s already exists: update it instead", c.Noun, k.Code)
		} else if !IsNotFound(err) {
			return err
		}
		ck := newChecker(ctx, tx, true)
		c.refs(ck, &rec, nil)
		if err := ck.first(); err != nil {
			return err
		}
		*c.meta(&rec) = Meta{}
		if err := c.write(ctx, tx, &rec); err != nil {
			return err
		}
		return c.audited(ctx, tx, "create", &rec, nil)
	})
	if err != nil {
		return rec, fmt.Errorf("create %s %s: %w", c.Noun, k.Code, err)
	}
	return rec, nil
}

// Update replaces a record's fields (all of them: an order's lines too);
// its archived state stays as it is. ENotFound when it does not exist.
func (c *Collection[T]) Update(ctx context.Context, rec T) (T, error) {
	k := c.key(&rec)
	err := c.ready(&rec)
	if err != nil {
		return rec, fmt.Errorf("update %s %s: %w", c.Noun, k.Code, err)
	}
	err = c.cat.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		old, err := c.get(ctx, tx, k)
		if err != nil {
			return err
		}
		if c.keep != nil {
			c.keep(&rec, &old)
		}
		ck := newChecker(ctx, tx, true)
		c.refs(ck, &rec, &old)
		if err := ck.first(); err != nil {
			return err
		}
		*c.meta(&rec) = *c.meta(&old)
		if err := c.write(ctx, tx, &rec); err != nil {
			return err
		}
		return c.audited(ctx, tx, "update", &rec, &old)
	})
	if err != nil {
		return rec, fmt.Errorf("update %s %s: %w", c.Noun, k.Code, err)
	}
	return rec, nil
}

// SetArchived archives (or restores) a record. Doing it twice changes
// nothing the second time.
func (c *Collection[T]) SetArchived(ctx context.Context, k CatalogKey, archived bool) (T, error) {
	var rec T
	err := c.cat.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) (err error) {
		if rec, err = c.get(ctx, tx, k); err != nil {
			return err
		}
		m := c.meta(&rec)
		if m.Archived == archived {
			return nil
		}
		old := rec
		m.Archived, m.ArchivedAt = archived, time.Time{}
		action := "restore"
		if archived {
			m.ArchivedAt = c.cat.now().UTC()
			action = "archive"
		}
		if err := c.write(ctx, tx, &rec); err != nil {
			return err
		}
		return c.audited(ctx, tx, action, &rec, &old)
	})
	if err != nil {
		return rec, fmt.Errorf("archive %s %s: %w", c.Noun, k.Code, err)
	}
	return rec, nil
}

func (c *Collection[T]) write(ctx context.Context, tx CatalogTx, rec *T) error {
	pos, err := c.put(tx, ctx, *rec)
	if err != nil {
		return err
	}
	c.meta(rec).Position = pos
	return nil
}

// Issue is a problem with the Index-th record of an import.
type Issue struct {
	Index int
	Problem
	// DuplicateOf is the index of the earlier record of the same import
	// with the same key or unique value, or -1.
	DuplicateOf int
}

// ImportError is returned when an import has bad records; nothing of it
// was written.
type ImportError struct {
	Issues []Issue
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("%d problems in the import; nothing was imported", len(e.Issues))
}

// Import writes records in one transaction: each record replaces the one
// at its key or is added. Every record is checked first (its fields, its
// references, and keys unique within the import); when any is bad the
// transaction writes nothing and the error is an *ImportError listing every
// problem. Import checks that references exist but, unlike Create and
// Update, accepts references to archived records, so that an export
// imports back as it was. The Archived flag of each record is taken as given.
func (c *Collection[T]) Import(ctx context.Context, recs []T) error {
	return c.load(ctx, recs, true)
}

// Check runs Import's checks without writing anything: it returns an
// *ImportError listing every problem, or nil when Import would succeed
// now. Importers use it to report the rules a record breaks alongside the
// problems they found parsing the other fields.
func (c *Collection[T]) Check(ctx context.Context, recs []T) error {
	return c.load(ctx, recs, false)
}

// errDryRun rolls back a check's transaction.
var errDryRun = errors.New("dry run")

func (c *Collection[T]) load(ctx context.Context, recs []T, write bool) error {
	var issues []Issue
	err := c.cat.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		seen := make(map[CatalogKey]int, len(recs))
		seenUnique := map[string]int{}
		olds := make([]*T, len(recs))
		ck := newChecker(ctx, tx, false)
		for i := range recs {
			rec := &recs[i]
			ps := c.validate(rec)
			for _, p := range ps {
				issues = append(issues, Issue{Index: i, Problem: p, DuplicateOf: -1})
			}
			if len(ps) == 0 && write && c.prepare != nil {
				if err := c.prepare(rec); err != nil {
					return err
				}
			}
			k := c.key(rec)
			if c.Kind == KindPurchaseOrder || c.Kind == KindSalesOrder {
				k.Warehouse = "" // numbers are unique across warehouses
			}
			if j, dup := seen[k]; dup {
				field := "code"
				switch c.Kind {
				case KindBarcode:
					field = "value"
				case KindPurchaseOrder, KindSalesOrder:
					field = "number"
				}
				issues = append(issues, Issue{Index: i, DuplicateOf: j,
					Problem: Problem{Field: field, Message: fmt.Sprintf("duplicate %s %s", c.Noun, k.Code)}})
				continue
			}
			seen[k] = i
			if c.unique != nil {
				if f, v := c.unique(rec); f != "" {
					if j, dup := seenUnique[v]; dup {
						issues = append(issues, Issue{Index: i, DuplicateOf: j,
							Problem: Problem{Field: f, Message: fmt.Sprintf("duplicate %s", f)}})
					}
					seenUnique[v] = i
				}
			}
			old, err := c.get(ctx, tx, c.key(rec))
			switch {
			case err == nil:
				olds[i] = &old
				if c.keep != nil {
					c.keep(rec, &old)
				}
			case !IsNotFound(err):
				return err
			}
			ck.ps = ck.ps[:0]
			c.refs(ck, rec, olds[i])
			if ck.err != nil {
				return ck.err
			}
			for _, p := range ck.ps {
				issues = append(issues, Issue{Index: i, Problem: p, DuplicateOf: -1})
			}
		}
		if len(issues) > 0 {
			return &ImportError{Issues: issues}
		}
		if !write {
			return errDryRun
		}
		now := c.cat.now().UTC()
		for i := range recs {
			m := c.meta(&recs[i])
			archived := m.Archived
			*m = Meta{Archived: archived}
			if old := olds[i]; old != nil && c.meta(old).Archived == archived {
				m.ArchivedAt = c.meta(old).ArchivedAt
			} else if archived {
				m.ArchivedAt = now
			}
			if err := c.write(ctx, tx, &recs[i]); err != nil {
				return fmt.Errorf("record %d: %w", i+1, err)
			}
			if err := c.audited(ctx, tx, "import", &recs[i], olds[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("import %d %ss: %w", len(recs), c.Noun, err)
	}
	return nil
}

// checker checks records against the store inside one transaction,
// remembering what it looked up (an import of orders asks for the same
// SKUs over and over).
type checker struct {
	ctx context.Context
	tx  CatalogReadTx
	// strict refuses new references to archived records.
	strict bool
	ps     problems
	err    error // a storage failure, not a problem with the record

	skus       map[string]*SKU
	warehouses map[string]*Warehouse
	suppliers  map[string]*Supplier
}

func newChecker(ctx context.Context, tx CatalogReadTx, strict bool) *checker {
	return &checker{ctx: ctx, tx: tx, strict: strict,
		skus: map[string]*SKU{}, warehouses: map[string]*Warehouse{}, suppliers: map[string]*Supplier{}}
}

// first returns the first problem as an *Error, or the storage failure.
func (ck *checker) first() error {
	if ck.err != nil {
		return ck.err
	}
	if len(ck.ps) > 0 {
		return ck.ps[0].Err()
	}
	return nil
}

// lookup returns the record at key from cache or store: nil when absent.
func lookup[T any](ck *checker, cache map[string]*T, key string, get func() (T, error)) *T {
	if r, ok := cache[key]; ok {
		return r
	}
	r, err := get()
	if err != nil {
		if !IsNotFound(err) && ck.err == nil {
			ck.err = err
		}
		cache[key] = nil
		return nil
	}
	cache[key] = &r
	return &r
}

func (ck *checker) sku(code string) *SKU {
	return lookup(ck, ck.skus, code, func() (SKU, error) { return ck.tx.SKU(ck.ctx, code) })
}

func (ck *checker) warehouse(code string) *Warehouse {
	return lookup(ck, ck.warehouses, code, func() (Warehouse, error) { return ck.tx.Warehouse(ck.ctx, code) })
}

func (ck *checker) supplier(code string) *Supplier {
	return lookup(ck, ck.suppliers, code, func() (Supplier, error) { return ck.tx.Supplier(ck.ctx, code) })
}

// ref checks one reference: it must exist and, when strict and the
// reference is new (changed is true), must not be archived.
func (ck *checker) ref(line int, field, noun, code string, exists, archived, changed bool) {
	if code == "" {
		return // Validate reported it
	}
	switch {
	case !exists:
		ck.ps.addLine(line, field, "unknown %s %s", noun, code)
	case archived && ck.strict && changed:
		ck.ps.addLine(line, field, "%s %s is archived", noun, code)
	}
}

func (ck *checker) skuRef(line int, field, code string, changed bool) {
	s := ck.sku(code)
	ck.ref(line, field, "SKU", code, s != nil, s != nil && s.Archived, changed)
}

func (ck *checker) warehouseRef(field, code string, changed bool) {
	w := ck.warehouse(code)
	ck.ref(0, field, "warehouse", code, w != nil, w != nil && w.Archived, changed)
}

func (ck *checker) barcode(b, old *Barcode) {
	ck.skuRef(0, "sku", b.SKU, old == nil || old.SKU != b.SKU)
	if old != nil && old.SKU != b.SKU {
		ck.ps.add("value", "duplicate barcode: %s already stands for SKU %s", b.Value, old.SKU)
	}
	if b.Value == "" {
		return
	}
	if l, err := ck.tx.LocationByBarcode(ck.ctx, "", b.Value); err == nil {
		ck.ps.add("value", "duplicate barcode: %s is the label of location %s in %s", b.Value, l.Code, l.Warehouse)
	} else if !IsNotFound(err) && ck.err == nil {
		ck.err = err
	}
}

func (ck *checker) location(l, old *Location) {
	ck.warehouseRef("warehouse", l.Warehouse, old == nil)
	if l.Barcode == "" {
		return
	}
	if other, err := ck.tx.LocationByBarcode(ck.ctx, l.Warehouse, l.Barcode); err == nil && other.Code != l.Code {
		ck.ps.add("barcode", "duplicate barcode: %s is already the label of location %s", l.Barcode, other.Code)
	} else if err != nil && !IsNotFound(err) && ck.err == nil {
		ck.err = err
	}
	if b, err := ck.tx.Barcode(ck.ctx, l.Barcode); err == nil {
		ck.ps.add("barcode", "duplicate barcode: %s already stands for SKU %s", l.Barcode, b.SKU)
	} else if !IsNotFound(err) && ck.err == nil {
		ck.err = err
	}
}

func (ck *checker) purchaseOrder(o, old *PurchaseOrder) {
	if old != nil && old.Warehouse != o.Warehouse {
		ck.ps.add("warehouse", "purchase order %s belongs to warehouse %s and cannot move", o.Number, old.Warehouse)
	}
	ck.warehouseRef("warehouse", o.Warehouse, old == nil || old.Warehouse != o.Warehouse)
	s := ck.supplier(o.Supplier)
	ck.ref(0, "supplier", "supplier", o.Supplier, s != nil, s != nil && s.Archived, old == nil || old.Supplier != o.Supplier)
	had := map[string]bool{}
	if old != nil {
		for _, ln := range old.Lines {
			had[ln.SKU] = true
		}
	}
	for i, ln := range o.Lines {
		ck.skuRef(i+1, "sku", ln.SKU, !had[ln.SKU])
	}
	// An SSCC opens one order: it may not be announced for another.
	for _, s := range o.SSCCs {
		others, err := ck.tx.PurchaseOrders(ck.ctx, ListFilter{Q: s, Archived: ActiveAndArchived, Limit: 10})
		if err != nil {
			if ck.err == nil {
				ck.err = err
			}
			return
		}
		for _, other := range others {
			if other.Number != o.Number && slices.Contains(other.SSCCs, s) {
				ck.ps.add("ssccs", "SSCC %s is already announced for purchase order %s", s, other.Number)
			}
		}
	}
}

func (ck *checker) salesOrder(o, old *SalesOrder) {
	if old != nil && old.Warehouse != o.Warehouse {
		ck.ps.add("warehouse", "sales order %s belongs to warehouse %s and cannot move", o.Number, old.Warehouse)
	}
	ck.warehouseRef("warehouse", o.Warehouse, old == nil || old.Warehouse != o.Warehouse)
	had := map[string]bool{}
	if old != nil {
		for _, ln := range old.Lines {
			had[ln.SKU] = true
		}
	}
	for i, ln := range o.Lines {
		ck.skuRef(i+1, "sku", ln.SKU, !had[ln.SKU])
	}
}

// Ledger returns the ledger opening stock goes through.
func (c *Catalog) Ledger() *Ledger { return c.ledger }
