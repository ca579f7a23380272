//! A value with the byte range it was read from, for the rule-file model.
//!
//! It reads from TOML exactly as `toml::Spanned` does (the TOML reader hands a spanned value
//! over as a three-field struct with reserved names). It writes itself as the sequence
//! `[start, end, value]`, and reads that form back too: tests compare rule models written this
//! way, spans included. (The built-in pack is prepared in the compact form of
//! [`super::packed`], see `build.rs`.)

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeTuple, Serializer};

// The names TOML readers use to hand a value over with its span (serde_spanned's protocol).
const NAME: &str = "$__serde_spanned_private_Spanned";
const START: &str = "$__serde_spanned_private_start";
const END: &str = "$__serde_spanned_private_end";
const VALUE: &str = "$__serde_spanned_private_value";
const FIELDS: &[&str] = &[START, END, VALUE];

/// A value and the byte range of the text it was read from.
#[derive(Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    span: Range<usize>,
    value: T,
}

impl<T> Spanned<T> {
    /// A value read from `span`.
    pub fn new(span: Range<usize>, value: T) -> Spanned<T> {
        Spanned { span, value }
    }

    /// The byte range it was read from.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The value.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The value, taken out.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Spanned<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Spanned<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a spanned value")
            }
            /// The prepared pack's form: `[start, end, value]`.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Spanned<T>, A::Error> {
                let start = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let end = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                let value = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(2, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(4, &self));
                }
                Ok(Spanned {
                    span: start..end,
                    value,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let (mut start, mut end, mut value) = (None, None, None);
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Start => start = Some(map.next_value()?),
                        Field::End => end = Some(map.next_value()?),
                        Field::Value => value = Some(map.next_value()?),
                    }
                }
                match (start, end, value) {
                    (Some(start), Some(end), Some(value)) => Ok(Spanned {
                        span: start..end,
                        value,
                    }),
                    (None, _, _) => Err(de::Error::missing_field(START)),
                    (_, None, _) => Err(de::Error::missing_field(END)),
                    (_, _, None) => Err(de::Error::missing_field(VALUE)),
                }
            }
        }
        d.deserialize_struct(NAME, FIELDS, V(std::marker::PhantomData))
    }
}

/// A key of the spanned form, read without allocating (the built-in pack has thousands).
enum Field {
    Start,
    End,
    Value,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field of a spanned value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                match v {
                    START => Ok(Field::Start),
                    END => Ok(Field::End),
                    VALUE => Ok(Field::Value),
                    other => Err(de::Error::unknown_field(other, FIELDS)),
                }
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    /// Writes `[start, end, value]`: the prepared pack's JSON holds thousands of spans, and
    /// this form reads about twice as fast as a map with the reserved names (which no writer
    /// needs: TOML files are never written from the model).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(3)?;
        t.serialize_element(&self.span.start)?;
        t.serialize_element(&self.span.end)?;
        t.serialize_element(&self.value)?;
        t.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sequence form reads back, and writes itself again the same way.
    #[test]
    fn the_sequence_form_reads_and_writes() {
        let s: Spanned<String> = serde_json::from_str(r#"[3,9,"aws-id"]"#).unwrap();
        assert_eq!(s.span(), 3..9);
        assert_eq!(s.get_ref(), "aws-id");
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"[3,9,"aws-id"]"#);
    }

    /// The reserved-name map (what TOML readers hand over) still reads.
    #[test]
    fn the_map_form_reads() {
        let json = format!(r#"{{"{START}":1,"{END}":4,"{VALUE}":7}}"#);
        let s: Spanned<u32> = serde_json::from_str(&json).unwrap();
        assert_eq!((s.span(), *s.get_ref()), (1..4, 7));
    }

    /// A sequence of the wrong length is an error, not a guess.
    #[test]
    fn a_short_or_long_sequence_is_an_error() {
        assert!(serde_json::from_str::<Spanned<u32>>("[1,2]").is_err());
        assert!(serde_json::from_str::<Spanned<u32>>("[1,2,3,4]").is_err());
    }
}
