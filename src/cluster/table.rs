//! Server-side Tables: one row of a few cells per context, in consistent pages, so that `list`,
//! `expire` and completion never move a transcript over the wire.

use super::*;

/// One row of a server-side Table of contexts: its cells (the CRD's printer columns, plus
/// `Name`), and where the object lives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableRow {
    /// Namespace (from the row's metadata; `None` when the server sent none).
    pub namespace: Option<String>,
    /// Resource name.
    pub name: String,
    /// Labels, when the rows were asked with their metadata ([`Cluster::list_table`]'s
    /// `labels`).
    pub labels: std::collections::BTreeMap<String, String>,
    /// The Table's column names, shared by its rows.
    columns: std::sync::Arc<[String]>,
    /// Cell values, in column order.
    cells: Vec<serde_json::Value>,
}

impl TableRow {
    /// The cell of column `name`, if the Table has that column.
    pub fn cell(&self, name: &str) -> Option<&serde_json::Value> {
        let i = self.columns.iter().position(|c| c == name)?;
        self.cells.get(i)
    }
}

/// The parts of a `meta.k8s.io/v1` Table this tool reads, deserialized straight into place (no
/// intermediate JSON tree: a 5,000-row Table is read in one pass).
#[derive(serde::Deserialize)]
pub(super) struct TableDoc {
    #[serde(default, rename = "columnDefinitions")]
    pub(super) columns: Vec<ColumnDef>,
    #[serde(default)]
    pub(super) rows: Vec<TableDocRow>,
    #[serde(default)]
    pub(super) metadata: TableMeta,
}

#[derive(serde::Deserialize)]
pub(super) struct ColumnDef {
    pub(super) name: String,
}

#[derive(serde::Deserialize)]
pub(super) struct TableDocRow {
    #[serde(default)]
    pub(super) cells: Vec<serde_json::Value>,
    #[serde(default)]
    pub(super) object: Option<RowObject>,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct RowObject {
    #[serde(default)]
    pub(super) metadata: RowMeta,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct RowMeta {
    pub(super) name: Option<String>,
    pub(super) namespace: Option<String>,
    #[serde(default)]
    pub(super) labels: std::collections::BTreeMap<String, String>,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct TableMeta {
    #[serde(rename = "resourceVersion")]
    pub(super) resource_version: Option<String>,
    #[serde(rename = "continue")]
    pub(super) continue_: Option<String>,
}

/// How fresh a listing must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Served from the apiserver's watch cache (`resourceVersion=0`): at most a moment behind
    /// etcd, one request, and cheap for the server.
    Cached,
    /// Read from etcd in pages of this many objects (0: one request), as kubectl does.
    Consistent(u32),
}

impl Cluster {
    /// Contexts as a server-side Table (`as=Table`, `includeObject=None`, or `Metadata` across
    /// namespaces for the namespace and with `labels` for the labels): the apiserver renders
    /// the CRD's printer columns, so no transcript crosses the wire to print a row. Returns the
    /// rows, by namespace and name, and the list's resourceVersion (to watch from).
    pub async fn list_table(
        &self,
        ns: Option<&str>,
        selector: Option<&str>,
        freshness: Freshness,
        labels: bool,
    ) -> Result<(Vec<TableRow>, String), ClusterError> {
        let op = Op::contexts("list", ns, None);
        let path = table_path(ns);
        let mut params = ListParams::default();
        if let Some(sel) = selector {
            params = params.labels(sel);
        }
        match freshness {
            Freshness::Cached => params = params.match_any(),
            Freshness::Consistent(chunk) if chunk > 0 => params.limit = Some(chunk),
            Freshness::Consistent(_) => {}
        }
        let include = if ns.is_some() && !labels {
            "None"
        } else {
            "Metadata"
        };
        let mut rows = Vec::new();
        let mut version = String::new();
        loop {
            let req = table_request(&path, &params, include)?;
            let text = self
                .client
                .request_text(req)
                .await
                .map_err(|e| self.error(e, &op))?;
            tracing::debug!(
                bytes = text.len(),
                ?freshness,
                "received a Table of contexts"
            );
            let table: TableDoc = serde_json::from_str(&text).map_err(|e| ClusterError::Api {
                code: 200,
                reason: "BadTable".into(),
                verb: "list".into(),
                what: op.what(),
                message: format!("the apiserver's Table could not be read: {e}"),
            })?;
            drop(text);
            version = table.metadata.resource_version.clone().unwrap_or(version);
            let next = table.metadata.continue_.clone().filter(|c| !c.is_empty());
            rows.extend(table_rows(table));
            match next {
                Some(token) if matches!(freshness, Freshness::Consistent(_)) => {
                    params.continue_token = Some(token);
                    tracing::debug!(fetched = rows.len(), "fetching the next page");
                }
                _ => break,
            }
        }
        // The watch cache does not promise etcd's key order.
        rows.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        Ok((rows, version))
    }
}

/// The contexts' collection in `ns`, or in every namespace.
fn table_path(ns: Option<&str>) -> String {
    let (group, version) = (
        crate::model::resource::GROUP,
        crate::model::resource::VERSION,
    );
    match ns {
        Some(ns) => format!("/apis/{group}/{version}/namespaces/{ns}/{PLURAL}"),
        None => format!("/apis/{group}/{version}/{PLURAL}"),
    }
}

/// A list of `path` asked as a server-side Table, with `include` (`None`, or `Metadata` for
/// the namespace of each row) as the object each row carries.
fn table_request(
    path: &str,
    params: &ListParams,
    include: &str,
) -> Result<http::Request<Vec<u8>>, ClusterError> {
    let mut req = kube::core::Request::new(path)
        .list(params)
        .map_err(|e| ClusterError::Config(format!("cannot build the list request: {e}")))?;
    let uri = format!("{}&includeObject={include}", req.uri());
    *req.uri_mut() = uri
        .parse()
        .map_err(|e| ClusterError::Config(format!("cannot build the list request: {e}")))?;
    req.headers_mut().insert(
        http::header::ACCEPT,
        http::HeaderValue::from_static(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        ),
    );
    Ok(req)
}

/// The rows of a Table, each sharing its column names.
pub(super) fn table_rows(table: TableDoc) -> impl Iterator<Item = TableRow> {
    let columns: std::sync::Arc<[String]> = table.columns.into_iter().map(|c| c.name).collect();
    let name_at = columns.iter().position(|c| c == "Name");
    table.rows.into_iter().map(move |r| {
        let meta = r.object.map(|o| o.metadata).unwrap_or_default();
        let name = meta
            .name
            .or_else(|| {
                name_at
                    .and_then(|i| r.cells.get(i))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        TableRow {
            namespace: meta.namespace,
            name,
            labels: meta.labels,
            columns: columns.clone(),
            cells: r.cells,
        }
    })
}
