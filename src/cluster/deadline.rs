//! A deadline on every apiserver request, headers and body together.
//!
//! The socket's read timeout catches a server that goes quiet, but not one that trickles a byte
//! now and then, and a request waiting for a pooled connection has no socket yet. So every
//! request gets one deadline from the moment it is sent: the request timeout, or, for a watch,
//! the time the server was asked to keep it open (`timeoutSeconds`) plus the request timeout.
//! Past it the request fails with [`TimedOut`], which callers report (and journal) like an
//! unreachable cluster.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use tower::{BoxError, Layer, Service};

/// How long a watch stays open when the request does not say (the apiserver's own default
/// is up to 30 minutes).
const WATCH_WITHOUT_TIMEOUT: Duration = Duration::from_secs(1800);

/// A request found no answer in time.
#[derive(Debug, thiserror::Error)]
#[error("no complete answer within {} (--request-timeout sets this limit)", humantime::format_duration(*.0))]
pub struct TimedOut(pub Duration);

/// Adds [`Deadline`] to a client stack.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineLayer {
    /// The request timeout (`None`: `--request-timeout 0`, no deadline).
    pub limit: Option<Duration>,
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Deadline {
            inner,
            limit: self.limit,
        }
    }
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
    limit: Option<Duration>,
}

/// The deadline of a request to `uri`: `limit`, or for a watch the time it was asked to stay
/// open plus `limit`.
pub fn limit_for(uri: &Uri, limit: Duration) -> Duration {
    let query = uri.query().unwrap_or_default();
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    };
    if !matches!(param("watch"), Some("true" | "1")) {
        return limit;
    }
    let open = param("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(WATCH_WITHOUT_TIMEOUT, Duration::from_secs);
    open + limit
}

impl<S, ReqBody, B> Service<Request<ReqBody>> for Deadline<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<DeadlineBody<B>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let Some(limit) = self.limit.map(|l| limit_for(req.uri(), l)) else {
            let answer = self.inner.call(req);
            return Box::pin(async move {
                let resp = answer.await.map_err(Into::into)?;
                Ok(resp.map(|body| DeadlineBody {
                    inner: Box::pin(body),
                    sleep: None,
                    limit: Duration::ZERO,
                }))
            });
        };
        let deadline = tokio::time::Instant::now() + limit;
        let answer = self.inner.call(req);
        Box::pin(async move {
            match tokio::time::timeout_at(deadline, answer).await {
                Ok(Ok(resp)) => Ok(resp.map(|body| DeadlineBody {
                    inner: Box::pin(body),
                    sleep: Some(Box::pin(tokio::time::sleep_until(deadline))),
                    limit,
                })),
                Ok(Err(e)) => Err(e.into()),
                Err(_) => Err(Box::new(TimedOut(limit)) as BoxError),
            }
        })
    }
}

/// A response body that fails with [`TimedOut`] once its request's deadline passes.
pub struct DeadlineBody<B> {
    inner: Pin<Box<B>>,
    /// `None`: no deadline.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    limit: Duration,
}

impl<B> Body for DeadlineBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        // What already arrived is delivered first; the deadline only stops a wait.
        if let Poll::Ready(frame) = self.inner.as_mut().poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self
            .sleep
            .as_mut()
            .is_some_and(|sleep| sleep.as_mut().poll(cx).is_ready())
        {
            let limit = self.limit;
            return Poll::Ready(Some(Err(Box::new(TimedOut(limit)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_gets_its_open_time_on_top() {
        let t = Duration::from_secs(30);
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(limit_for(&uri("/apis/mcp.dev/v1alpha1/x?limit=500"), t), t);
        assert_eq!(
            limit_for(
                &uri("/apis/x?watch=true&timeoutSeconds=29&resourceVersion=5"),
                t
            ),
            Duration::from_secs(59)
        );
        assert_eq!(
            limit_for(&uri("/apis/x?watch=1"), t),
            WATCH_WITHOUT_TIMEOUT + t
        );
        assert_eq!(limit_for(&uri("/apis/x?watchers=true"), t), t);
    }

    /// A body that sends one frame and then nothing, forever.
    struct Trickle(bool);

    impl Body for Trickle {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
            if self.0 {
                return Poll::Pending;
            }
            self.0 = true;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"{")))))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_halfway_fails_at_the_deadline() {
        let service = tower::service_fn(|_: Request<()>| async {
            Ok::<_, std::io::Error>(Response::new(Trickle(false)))
        });
        let mut service = DeadlineLayer {
            limit: Some(Duration::from_secs(5)),
        }
        .layer(service);
        let started = tokio::time::Instant::now();
        let resp = service.call(Request::new(())).await.unwrap();
        let mut body = resp.into_body();
        let first = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        assert!(first.unwrap().is_ok());
        let second = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        let err = second.unwrap().unwrap_err();
        assert!(err.is::<TimedOut>(), "{err}");
        assert!(err.to_string().contains("5s"), "{err}");
        assert_eq!(started.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn headers_that_never_come_fail_at_the_deadline() {
        let service = tower::service_fn(|_: Request<()>| async {
            std::future::pending::<()>().await;
            Ok::<_, std::io::Error>(Response::new(Trickle(false)))
        });
        let mut service = DeadlineLayer {
            limit: Some(Duration::from_secs(3)),
        }
        .layer(service);
        let Err(err) = service.call(Request::new(())).await else {
            panic!("an answer came");
        };
        assert!(err.is::<TimedOut>(), "{err}");
    }
}
