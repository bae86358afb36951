package catalogmap

import "github.com/driftless/driftless/server"

// Count tasks live in count_tasks (each store maps them itself: their
// code is "CT-" and the row's id); snapshots count them by warehouse and
// status.
func init() { CountTables[server.KindCountTask] = "count_tasks" }
