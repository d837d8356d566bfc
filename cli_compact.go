package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (c *cli) compactCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "compact",
		Short: "Shrink the data file after many deletions, keeping the old one as <file>.before-compact",
		Long: `The data file never shrinks by itself: space freed by deleting customers is
reused for new records, but the file keeps its size. compact writes a copy
without the free space, checks it, keeps the current file as
<file>.before-compact and swaps the copy in with one atomic rename.

It is safe while Patron windows are open: it works beside them and swaps only
when none of them saved meanwhile; if they keep saving it finishes while they
wait a moment. It needs room on the disk for two more copies of the file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := c.openRead()
			if err != nil {
				return err
			}
			bar := newProgressLine(c.errOut)
			res, err := s.CompactWith(bar.update)
			bar.done()
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Compacted %s from %s to %s (checked: sound); the file as it was is kept as %s\n",
				shown(s.Path()), sizeOnDisk(res.Before), sizeOnDisk(res.After), shown(res.Kept))
			if res.After >= res.Before*9/10 {
				// bbolt grows files in steps, so a file with little free space keeps its size.
				fmt.Fprintln(c.out, "There was little free space in it to give back.")
			}
			return nil
		},
	}
}

// sizeOnDisk says a size in bytes the way a file manager does.
func sizeOnDisk(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	f, units := float64(n)/unit, []string{"KB", "MB", "GB", "TB"}
	i := 0
	for f >= unit && i < len(units)-1 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}
