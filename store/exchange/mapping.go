package exchange

import (
	"regexp"
	"strings"
)

// Field is where a CSV column goes in Patron.
type Field string

// The fields a column can map to. FieldIgnore drops the column.
const (
	FieldIgnore      Field = ""
	FieldName        Field = "name" // the whole name
	FieldFirstName   Field = "first name"
	FieldMiddleName  Field = "middle name"
	FieldLastName    Field = "last name"
	FieldNameSuffix  Field = "name suffix"
	FieldNickname    Field = "nickname" // used as the name only when there is no other
	FieldCompany     Field = "company"  // the name when there is no person's name, else a line in the notes
	FieldPhone       Field = "phone"
	FieldPhoneLabel  Field = "phone label" // "Mobile", "* Work": the label of the phone in the same group
	FieldEmail       Field = "email"
	FieldEmailLabel  Field = "email label"
	FieldAddress     Field = "address" // the whole mailing address
	FieldStreet      Field = "street"
	FieldStreet2     Field = "street line 2"
	FieldPOBox       Field = "po box"
	FieldCity        Field = "city"
	FieldRegion      Field = "region"
	FieldPostalCode  Field = "postal code"
	FieldCountry     Field = "country"
	FieldBirthday    Field = "birthday"
	FieldTags        Field = "tags"
	FieldNotes       Field = "notes"
	FieldNoteLine    Field = "note line" // kept in the notes as "Header: value"
	FieldPreferences Field = "preferences"
	FieldChannel     Field = "preferred channel"
	FieldSource      Field = "how they found the shop"
	FieldSince       Field = "customer since"
	FieldStatus      Field = "status"
	FieldNoContact   Field = "no cards or contact"
	FieldPartner     Field = "partner"
	FieldLostReason  Field = "defection reason"
	FieldLostNote    Field = "defection note"
	FieldLostAt      Field = "lost on"
)

// Fields lists every field a column can be mapped to, in the order a
// chooser offers them (FieldIgnore first).
var Fields = []Field{FieldIgnore, FieldName, FieldFirstName, FieldMiddleName, FieldLastName, FieldNameSuffix,
	FieldNickname, FieldCompany, FieldPhone, FieldPhoneLabel, FieldEmail, FieldEmailLabel, FieldAddress,
	FieldStreet, FieldStreet2, FieldPOBox, FieldCity, FieldRegion, FieldPostalCode, FieldCountry, FieldBirthday,
	FieldTags, FieldNotes, FieldNoteLine, FieldPreferences, FieldChannel, FieldSource, FieldSince, FieldStatus,
	FieldNoContact, FieldPartner, FieldLostReason, FieldLostNote, FieldLostAt}

// Label is the field as the owner reads it in the mapping screen.
func (f Field) Label() string {
	if f == FieldIgnore {
		return "(not imported)"
	}
	return string(f)
}

// Target is where one column goes. Group ties columns that belong together
// (a phone and its label, the parts of one address: "phone 2", "home");
// Label is a phone or email label the column's header implies ("mobile"
// for Outlook's "Mobile Phone").
type Target struct {
	Field Field  `json:"field"`
	Group string `json:"group,omitempty"`
	Label string `json:"label,omitempty"`
}

// Mapping has one target per column of the header, in order.
type Mapping []Target

// HasName reports whether the mapping has a column that can give a
// customer their name.
func (m Mapping) HasName() bool {
	for _, t := range m {
		switch t.Field {
		case FieldName, FieldFirstName, FieldLastName, FieldCompany:
			return true
		}
	}
	return false
}

// numbered splits Google's "Phone 2 - Value" into its group and part.
var numbered = regexp.MustCompile(`^(e-?mail|phone|address|organi[sz]ation|website|event|relation|custom field|im|external id|location)\s*(\d+)\s*-\s*(.+)$`)

// outlookPart matches Outlook's "Home Street 2", "Business Postal Code".
var outlookPart = regexp.MustCompile(`^(home|business|other)\s+(street 3|street 2|street|city|state|postal code|country/region|country|address po box)$`)

// GuessMapping guesses where each column of a CSV header goes, from the
// headers written by Google Contacts, Outlook, Square, Shopify, Patron
// itself and the names people give columns in their own spreadsheets.
// Unknown columns are ignored. The owner can confirm or change the result.
func GuessMapping(header []string) Mapping {
	m := make(Mapping, len(header))
	for i, h := range header {
		m[i] = guessColumn(h)
	}
	return m
}

func guessColumn(header string) Target {
	h := normHeader(header)
	if t, ok := exactHeaders[h]; ok {
		return t
	}
	if p := numbered.FindStringSubmatch(h); p != nil {
		kind, n, part := p[1], p[2], p[3]
		group := strings.ReplaceAll(kind, "-", "") + " " + n
		switch {
		case kind == "e-mail" || kind == "email":
			switch part {
			case "value":
				return Target{Field: FieldEmail, Group: group}
			case "label", "type":
				return Target{Field: FieldEmailLabel, Group: group}
			}
		case kind == "phone":
			switch part {
			case "value":
				return Target{Field: FieldPhone, Group: group}
			case "label", "type":
				return Target{Field: FieldPhoneLabel, Group: group}
			}
		case kind == "address":
			if f, ok := addressParts[part]; ok {
				return Target{Field: f, Group: group}
			}
		case strings.HasPrefix(kind, "organi"):
			if part == "name" && n == "1" {
				return Target{Field: FieldCompany}
			}
		}
		return Target{}
	}
	if p := outlookPart.FindStringSubmatch(h); p != nil {
		f := map[string]Field{"street": FieldStreet, "street 2": FieldStreet2, "street 3": FieldStreet2, "city": FieldCity,
			"state": FieldRegion, "postal code": FieldPostalCode, "country/region": FieldCountry, "country": FieldCountry,
			"address po box": FieldPOBox}[p[2]]
		return Target{Field: f, Group: p[1]}
	}
	if label, ok := outlookPhones[h]; ok {
		return Target{Field: FieldPhone, Label: label}
	}
	return guessLoose(h)
}

// normHeader lowers a header and folds its spacing, underscores and stray
// punctuation, so "E-mail Address", "email_address" and " Email  Address "
// compare alike where that is safe.
func normHeader(h string) string {
	h = strings.TrimSpace(strings.Trim(strings.TrimSpace(h), "\"'"))
	h = strings.ToLower(h)
	h = strings.NewReplacer("_", " ", ".", " ", ":", " ").Replace(h)
	return strings.Join(strings.Fields(h), " ")
}

var addressParts = map[string]Field{
	"formatted": FieldAddress, "street": FieldStreet, "extended address": FieldStreet2, "po box": FieldPOBox,
	"city": FieldCity, "region": FieldRegion, "postal code": FieldPostalCode, "country": FieldCountry,
}

// outlookPhones are Outlook's phone columns and the label each implies.
// Faxes, pagers and assistants are not the customer's phone.
var outlookPhones = map[string]string{
	"primary phone": "primary", "mobile phone": "mobile", "home phone": "home", "home phone 2": "home",
	"business phone": "work", "business phone 2": "work", "company main phone": "work", "other phone": "other",
	"car phone": "car", "callback": "callback", "radio phone": "radio",
}

// exactHeaders are the headers of the known exports (normalised by
// normHeader), and the usual names people give their own columns.
var exactHeaders = map[string]Target{
	// Names.
	"name": {Field: FieldName}, "full name": {Field: FieldName}, "customer name": {Field: FieldName},
	"contact name": {Field: FieldName}, "display name": {Field: FieldName}, "customer": {Field: FieldName},
	"client": {Field: FieldName}, "client name": {Field: FieldName}, "fn": {Field: FieldName},
	"first name": {Field: FieldFirstName}, "given name": {Field: FieldFirstName}, "firstname": {Field: FieldFirstName},
	"first": {Field: FieldFirstName}, "forename": {Field: FieldFirstName},
	"middle name": {Field: FieldMiddleName}, "additional name": {Field: FieldMiddleName}, "middlename": {Field: FieldMiddleName},
	"last name": {Field: FieldLastName}, "family name": {Field: FieldLastName}, "surname": {Field: FieldLastName},
	"lastname": {Field: FieldLastName}, "last": {Field: FieldLastName},
	"suffix": {Field: FieldNameSuffix}, "name suffix": {Field: FieldNameSuffix},
	"nickname": {Field: FieldNickname}, "nick name": {Field: FieldNickname},
	"company": {Field: FieldCompany}, "company name": {Field: FieldCompany}, "organization": {Field: FieldCompany},
	"organisation": {Field: FieldCompany}, "organization name": {Field: FieldCompany}, "business name": {Field: FieldCompany},
	"default address company": {Field: FieldCompany, Group: "default"},

	// Phones and emails.
	"phone": {Field: FieldPhone}, "phone number": {Field: FieldPhone}, "telephone": {Field: FieldPhone},
	"tel": {Field: FieldPhone}, "mobile": {Field: FieldPhone, Label: "mobile"}, "cell": {Field: FieldPhone, Label: "mobile"},
	"mobile number": {Field: FieldPhone, Label: "mobile"}, "cell phone": {Field: FieldPhone, Label: "mobile"},
	"mobile phone number": {Field: FieldPhone, Label: "mobile"}, "phone 1": {Field: FieldPhone}, "phone 2": {Field: FieldPhone},
	"default address phone": {Field: FieldPhone, Label: "address"},
	"email":                 {Field: FieldEmail}, "e-mail": {Field: FieldEmail}, "email address": {Field: FieldEmail},
	"e-mail address": {Field: FieldEmail}, "e-mail 2 address": {Field: FieldEmail}, "e-mail 3 address": {Field: FieldEmail},
	"mail": {Field: FieldEmail}, "email 2": {Field: FieldEmail}, "primary email": {Field: FieldEmail},
	"secondary email": {Field: FieldEmail},

	// Addresses: Patron's and generic ones, Square's and Shopify's.
	"address": {Field: FieldAddress}, "mailing address": {Field: FieldAddress}, "postal address": {Field: FieldAddress},
	"full address": {Field: FieldAddress}, "home address": {Field: FieldAddress},
	"street": {Field: FieldStreet}, "street address": {Field: FieldStreet}, "street address 1": {Field: FieldStreet},
	"address 1": {Field: FieldStreet}, "address1": {Field: FieldStreet}, "address line 1": {Field: FieldStreet},
	"street address 2": {Field: FieldStreet2}, "address 2": {Field: FieldStreet2}, "address2": {Field: FieldStreet2},
	"address line 2": {Field: FieldStreet2},
	"city":           {Field: FieldCity}, "town": {Field: FieldCity}, "locality": {Field: FieldCity},
	"state": {Field: FieldRegion}, "province": {Field: FieldRegion}, "region": {Field: FieldRegion},
	"county": {Field: FieldRegion}, "state/province": {Field: FieldRegion}, "province code": {Field: FieldIgnore},
	"postal code": {Field: FieldPostalCode}, "zip": {Field: FieldPostalCode}, "zip code": {Field: FieldPostalCode},
	"zipcode": {Field: FieldPostalCode}, "postcode": {Field: FieldPostalCode}, "post code": {Field: FieldPostalCode},
	"country": {Field: FieldCountry}, "country code": {Field: FieldIgnore},
	"default address address1": {Field: FieldStreet, Group: "default"}, "default address address2": {Field: FieldStreet2, Group: "default"},
	"default address city": {Field: FieldCity, Group: "default"}, "default address province code": {Field: FieldRegion, Group: "default"},
	"default address country code": {Field: FieldCountry, Group: "default"}, "default address zip": {Field: FieldPostalCode, Group: "default"},

	// The rest of a customer.
	"birthday": {Field: FieldBirthday}, "birth date": {Field: FieldBirthday}, "birthdate": {Field: FieldBirthday},
	"date of birth": {Field: FieldBirthday}, "dob": {Field: FieldBirthday}, "bday": {Field: FieldBirthday},
	"tags": {Field: FieldTags}, "tag": {Field: FieldTags}, "labels": {Field: FieldTags}, "categories": {Field: FieldTags},
	"groups": {Field: FieldTags}, "group membership": {Field: FieldTags}, "group": {Field: FieldTags},
	"notes": {Field: FieldNotes}, "note": {Field: FieldNotes}, "memo": {Field: FieldNotes}, "comments": {Field: FieldNotes},
	"comment":     {Field: FieldNotes},
	"preferences": {Field: FieldPreferences}, "preferences and needs": {Field: FieldPreferences},
	"preferred channel": {Field: FieldChannel}, "channel": {Field: FieldChannel},
	"how they found the shop": {Field: FieldSource}, "how they found us": {Field: FieldSource}, "source": {Field: FieldSource},
	"referral source": {Field: FieldSource},
	"customer since":  {Field: FieldSince}, "since": {Field: FieldSince}, "first visit": {Field: FieldSince},
	"member since": {Field: FieldSince},
	"status":       {Field: FieldStatus}, "no contact": {Field: FieldNoContact}, "no cards or contact": {Field: FieldNoContact},
	"partner": {Field: FieldPartner}, "defection reason": {Field: FieldLostReason}, "defection note": {Field: FieldLostNote},
	"lost on": {Field: FieldLostAt},

	// Figures from a till or a web shop, kept as lines in the notes.
	"total spent": {Field: FieldNoteLine}, "total orders": {Field: FieldNoteLine}, "lifetime spend": {Field: FieldNoteLine},
	"transaction count": {Field: FieldNoteLine}, "last visit": {Field: FieldNoteLine},

	// Columns that look like ours but are not the customer's.
	"e-mail type": {}, "e-mail display name": {}, "e-mail 2 type": {}, "e-mail 2 display name": {},
	"e-mail 3 type": {}, "e-mail 3 display name": {}, "business fax": {}, "home fax": {}, "other fax": {},
	"pager": {}, "assistant's phone": {}, "title": {}, "job title": {}, "name prefix": {},
	"phonetic first name": {}, "phonetic middle name": {}, "phonetic last name": {}, "yomi name": {},
	"given name yomi": {}, "additional name yomi": {}, "family name yomi": {}, "given yomi": {}, "surname yomi": {},
	"company yomi": {}, "short name": {}, "maiden name": {}, "initials": {}, "file as": {},
	"assistant's name": {}, "manager's name": {}, "spouse": {}, "children": {}, "telex": {}, "isdn": {},
	"tty/tdd phone": {}, "e-mail display name 2": {}, "referred by": {Field: FieldNoteLine},
	"email subscription status": {}, "accepts email marketing": {}, "accepts marketing": {},
	"accepts sms marketing": {}, "tax exempt": {}, "customer id": {}, "square customer id": {},
	"reference id": {}, "creation source": {}, "instant profile": {}, "id": {},
}

// notContact are words that make a column about a phone or email something
// other than the number or address itself (Shopify's "Accepts Email
// Marketing", Square's "Email Subscription Status").
var notContact = []string{"marketing", "subscri", "status", "consent", "opt", "type", "verified", "label", "display", "count"}

// guessLoose catches headers people write in their own spreadsheets
// ("Customer e-mail", "Mobile no.") by the words they contain.
func guessLoose(h string) Target {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(h, w) {
				return true
			}
		}
		return false
	}
	contact := !has(notContact...)
	switch {
	case has("e-mail", "email") && contact:
		return Target{Field: FieldEmail}
	case has("fax", "pager", "e-mail", "email"):
		return Target{}
	case has("mobile", "cell", "handy", "móvil", "movil", "celular") && contact:
		return Target{Field: FieldPhone, Label: "mobile"}
	case has("phone", "telefon", "teléfono", "téléphone") && contact:
		return Target{Field: FieldPhone}
	case has("correo", "courriel") && contact:
		return Target{Field: FieldEmail}
	case has("birth", "geburtstag", "cumpleaños", "aniversário", "anniversaire"):
		return Target{Field: FieldBirthday}
	case has("first name", "given"):
		return Target{Field: FieldFirstName}
	case has("last name", "surname", "family"):
		return Target{Field: FieldLastName}
	case h == "nome" || h == "nom" || h == "nombre" || h == "vorname und nachname" || strings.HasSuffix(h, " name") && has("customer", "client", "contact", "guest", "member", "person", "patron"):
		return Target{Field: FieldName}
	case has("note", "memo", "comment"):
		return Target{Field: FieldNotes}
	case has("tag"):
		return Target{Field: FieldTags}
	}
	return Target{}
}
