//! Returns memory the allocator keeps but no program data uses to the
//! operating system, at the few points of a build where a large working
//! set has just been freed. Owns nothing else; never allocates.
//!
//! jemalloc (the `gazette` binary's allocator) keeps freed pages for ten
//! seconds before returning them, so a stage that frees 50 MB and the next
//! that allocates 30 MB of other sizes add up in the peak resident size.
//! Without the `jemalloc` feature this does nothing.

/// Purge every jemalloc arena's unused dirty pages.
pub fn release() {
    #[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
    // SAFETY: `arena.<MALLCTL_ARENAS_ALL>.purge` takes and returns no value:
    // every pointer is null and the length zero, as mallctl(3) requires.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
}
