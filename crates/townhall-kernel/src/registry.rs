//! A council's settings, capability by capability: one value of each type
//! (its services, its consent policy, its resident index, …), put there
//! by the capability that reads it from the council's configuration and
//! read by whatever needs it, without a field per capability anywhere.

use std::any::{type_name, Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// One council's settings: at most one value of each type. Cheap to clone.
#[derive(Clone, Default)]
pub struct Registry {
    values: HashMap<TypeId, Entry>,
}

#[derive(Clone)]
struct Entry {
    name: &'static str,
    value: Arc<dyn Any + Send + Sync>,
}

/// A second value of a type already given: two capabilities claim the
/// same setting, which one list of capabilities must not do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this council was given a {0} twice; each setting belongs to one capability")]
pub struct Taken(pub &'static str);

/// A setting asked for that no capability gave.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no capability gave this council a {0}; is the capability that loads it listed?")]
pub struct Missing(pub &'static str);

impl Registry {
    /// Puts `value` in, unless a value of its type is there already.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) -> Result<(), Taken> {
        match self.values.entry(TypeId::of::<T>()) {
            std::collections::hash_map::Entry::Occupied(_) => Err(Taken(type_name::<T>())),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(Entry {
                    name: type_name::<T>(),
                    value: Arc::new(value),
                });
                Ok(())
            }
        }
    }

    /// The value of type `T`, if one was put in.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|e| e.value.downcast_ref())
    }

    /// The value of type `T`, shared, if one was put in: for work that
    /// outlives the borrow (a task, a response body).
    pub fn get_arc<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|e| e.value.clone().downcast().ok())
    }

    /// The value of type `T`, or which type is missing.
    pub fn require<T: Any + Send + Sync>(&self) -> Result<&T, Missing> {
        self.get().ok_or(Missing(type_name::<T>()))
    }

    /// The value of type `T`, shared, or which type is missing.
    pub fn require_arc<T: Any + Send + Sync>(&self) -> Result<Arc<T>, Missing> {
        self.get_arc().ok_or(Missing(type_name::<T>()))
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.values.values().map(|e| e.name).collect();
        names.sort_unstable();
        f.debug_set().entries(names).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Services(Vec<&'static str>);

    #[test]
    fn a_value_is_found_by_its_type_and_given_once() {
        let mut r = Registry::default();
        assert_eq!(r.get::<Services>(), None);
        r.insert(Services(vec!["bins"])).unwrap();
        r.insert(7_u32).unwrap();
        assert_eq!(r.get::<Services>(), Some(&Services(vec!["bins"])));
        assert_eq!(r.get::<u32>(), Some(&7));
        assert_eq!(r.get_arc::<u32>().as_deref(), Some(&7));
        let taken = r.insert(Services(vec!["potholes"])).unwrap_err();
        assert!(taken.0.ends_with("Services"), "{taken:?}");
        assert_eq!(r.require::<Services>(), Ok(&Services(vec!["bins"])));
    }

    #[test]
    fn a_missing_value_names_its_type() {
        let r = Registry::default();
        let missing = r.require::<Services>().unwrap_err();
        assert!(missing.0.ends_with("Services"), "{missing:?}");
        assert!(format!("{r:?}") == "{}");
    }
}
