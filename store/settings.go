package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// Settings reads the shop's settings from the file.
func (s *Store) Settings() (model.Settings, error) {
	var st model.Settings
	err := s.view(func(tx *bolt.Tx) error {
		st = settingsIn(tx)
		return nil
	})
	return st, err
}

// SaveSettings writes the shop's settings as one undoable change.
func (s *Store) SaveSettings(st model.Settings) error {
	_, err := s.update(func(w *wtx) error {
		w.change.Summary = "Changed the settings"
		return w.putJSON(bSettings, kSettings, st)
	})
	return err
}
