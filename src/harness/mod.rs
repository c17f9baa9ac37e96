//! The test rig, apart from the product: the simulated Discord (`sim`), the benchmarks
//! (`perf`) and `lyceum demo` (`demo`), which drive the real bot through `app::start` against
//! the simulator. Nothing in the product imports this folder; it imports the product.

pub mod demo;
pub mod perf;
pub mod sim;
