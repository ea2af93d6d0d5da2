// The precompiled header of the transport's files: Boost.Beast and Boost.Asio, which only
// request_parser.cc and transport.cc include (no other file of the adapter sees them).
#ifndef ROGATORY_ADAPTERS_HTTP_TRANSPORT_PCH_H_
#define ROGATORY_ADAPTERS_HTTP_TRANSPORT_PCH_H_

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#endif  // ROGATORY_ADAPTERS_HTTP_TRANSPORT_PCH_H_
