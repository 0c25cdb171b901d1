//! Suggested KSBs for a piece of evidence: BM25 over the KSB statements
//! and the criteria that cite them (ADR 0035).
//!
//! The caller passes `(code, text)` pairs: one per KSB statement and one
//! per criterion text for each KSB it cites, so this crate needs no plan.
//! Pairs with the same code are one document. No network, no model: a
//! lexical ranker is explainable ("it shares 'complaint' and 'resolve'")
//! and the user confirms every suggestion.

use std::collections::HashMap;

use serde::Serialize;

/// BM25's usual constants: term frequency saturation and length norm.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// One suggested KSB.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub code: String,
    pub score: f64,
    /// The query terms (stemmed) the KSB's text shares, best first.
    pub shared: Vec<String>,
}

/// An index of KSB texts, built once per plan and queried per evidence item.
#[derive(Debug, Clone)]
pub struct KsbIndex {
    codes: Vec<String>,
    /// Term -> (document, frequency).
    postings: HashMap<String, Vec<(usize, u32)>>,
    lengths: Vec<f64>,
    average: f64,
}

impl KsbIndex {
    /// Builds the index; pairs sharing a code are joined, in first-seen order.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut codes: Vec<String> = Vec::new();
        let mut slot: HashMap<String, usize> = HashMap::new();
        let mut texts: Vec<Vec<String>> = Vec::new();
        for (code, text) in pairs {
            let i = *slot.entry(code.to_owned()).or_insert_with(|| {
                codes.push(code.to_owned());
                texts.push(Vec::new());
                codes.len() - 1
            });
            texts[i].extend(terms(text));
        }
        let mut postings: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
        for (doc, words) in texts.iter().enumerate() {
            let mut tf: HashMap<&str, u32> = HashMap::new();
            for w in words {
                *tf.entry(w).or_default() += 1;
            }
            for (term, n) in tf {
                postings.entry(term.to_owned()).or_default().push((doc, n));
            }
        }
        let lengths: Vec<f64> = texts.iter().map(|t| t.len() as f64).collect();
        let average = if lengths.is_empty() {
            0.0
        } else {
            lengths.iter().sum::<f64>() / lengths.len() as f64
        };
        Self {
            codes,
            postings,
            lengths,
            average,
        }
    }

    /// The `limit` KSBs whose text best matches `evidence`, best first.
    /// Ties keep the plan's order (K before S before B, as given). KSBs
    /// sharing no term are never suggested.
    pub fn suggest(&self, evidence: &str, limit: usize) -> Vec<Suggestion> {
        let n = self.codes.len() as f64;
        let mut scores = vec![0.0f64; self.codes.len()];
        let mut shared: Vec<Vec<(f64, String)>> = vec![Vec::new(); self.codes.len()];
        let mut query: Vec<String> = terms(evidence).collect();
        query.sort();
        query.dedup();
        for term in &query {
            let Some(list) = self.postings.get(term) else {
                continue;
            };
            let df = list.len() as f64;
            // The "+1" form of IDF never goes negative for common terms.
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, tf) in list {
                let tf = f64::from(tf);
                let norm = 1.0 - B + B * self.lengths[doc] / self.average.max(1.0);
                let part = idf * tf * (K1 + 1.0) / (tf + K1 * norm);
                scores[doc] += part;
                shared[doc].push((part, term.clone()));
            }
        }
        let mut ranked: Vec<usize> = (0..self.codes.len()).filter(|&i| scores[i] > 0.0).collect();
        ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        ranked
            .into_iter()
            .take(limit)
            .map(|i| {
                let mut terms = std::mem::take(&mut shared[i]);
                terms.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                Suggestion {
                    code: self.codes[i].clone(),
                    score: (scores[i] * 1000.0).round() / 1000.0,
                    shared: terms.into_iter().map(|(_, t)| t).collect(),
                }
            })
            .collect()
    }
}

/// Lower-cased, stop words dropped, lightly stemmed terms.
fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() > 1 && !STOP.contains(&w.as_str()))
        .map(|w| stem(&w))
}

/// A small suffix stripper: enough that "complaints", "complaint" and
/// "complaining" meet, without a stemming dependency.
fn stem(word: &str) -> String {
    const SUFFIXES: [&str; 12] = [
        "ational", "ations", "ation", "ments", "ment", "ings", "ing", "ies", "ed", "es", "ly", "s",
    ];
    for suffix in SUFFIXES {
        if let Some(root) = word.strip_suffix(suffix)
            && root.chars().count() >= 4
        {
            return if suffix == "ies" {
                format!("{root}y")
            } else {
                root.to_owned()
            };
        }
    }
    word.to_owned()
}

const STOP: [&str; 48] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "has", "have", "how",
    "in", "into", "is", "it", "its", "of", "on", "or", "our", "that", "the", "their", "them",
    "they", "this", "to", "was", "were", "what", "when", "where", "which", "who", "will", "with",
    "within", "would", "you", "your", "i", "we", "my", "me", "us",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> KsbIndex {
        KsbIndex::new([
            ("K1", "Know the organisation's products and services"),
            (
                "K2",
                "Understand complaint handling and how to resolve complaints",
            ),
            ("S1", "Use customer feedback and surveys to improve service"),
            (
                "S1",
                "Analyses survey results to recommend service improvements",
            ),
            ("B1", "Take ownership and show a positive attitude"),
        ])
    }

    #[test]
    fn the_closest_ksb_comes_first_with_the_terms_it_shares() {
        let got = index().suggest("I resolved three customer complaints this week", 3);
        assert_eq!(got[0].code, "K2");
        assert!(got[0].shared.contains(&"complaint".to_owned()), "{got:?}");
        let got = index().suggest("Ran a survey of customers and analysed the results", 2);
        assert_eq!(got[0].code, "S1");
    }

    #[test]
    fn nothing_in_common_means_no_suggestion() {
        assert!(index().suggest("zebra xylophone", 5).is_empty());
        assert!(index().suggest("", 5).is_empty());
        assert!(KsbIndex::new([]).suggest("complaints", 5).is_empty());
    }

    #[test]
    fn stemming_meets_plurals_and_forms() {
        assert_eq!(stem("complaints"), "complaint");
        assert_eq!(stem("surveys"), "survey");
        assert_eq!(stem("improvements"), "improve");
        assert_eq!(stem("queries"), "query");
        assert_eq!(stem("is"), "is");
    }
}
