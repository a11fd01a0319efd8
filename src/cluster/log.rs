//! `-v`: one line per apiserver request, as kubectl's `-v=6` prints one (`GET
//! https://…/claudemodelcontexts/demo 200 OK in 12 milliseconds`): the method, the whole URL,
//! the status or the failure, and how long until the headers came.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http::{Request, Response};
use tower::{BoxError, Layer, Service};

/// Adds [`Log`] to a client stack, below the layer that makes URLs whole.
#[derive(Debug, Clone, Copy)]
pub struct LogLayer;

impl<S> Layer<S> for LogLayer {
    type Service = Log<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Log { inner }
    }
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Log<S> {
    inner: S,
}

impl<S, ReqBody, B> Service<Request<ReqBody>> for Log<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = Response<B>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let (method, uri) = (req.method().clone(), req.uri().clone());
        let started = Instant::now();
        let answer = self.inner.call(req);
        Box::pin(async move {
            let result = answer.await.map_err(Into::into);
            let ms = started.elapsed().as_millis();
            match &result {
                Ok(resp) => tracing::info!(
                    target: "kubectl_mcp::http",
                    "{method} {uri} {} in {ms} milliseconds",
                    resp.status()
                ),
                Err(e) => tracing::info!(
                    target: "kubectl_mcp::http",
                    "{method} {uri} failed in {ms} milliseconds: {}",
                    crate::error::chain(e.as_ref())
                ),
            }
            result
        })
    }
}
