/// Decides which releases to delete after a rollout.
public enum ReleasePruning {
    /// From a newest-first listing, the releases beyond the `keep` newest, never the current release or the
    /// previous one (the rollback target), and never a hidden entry (a partial upload or temporary link).
    public static func releasesToDelete(newestFirst listing: [String], keep: Int, current: String?, previous: String?)
        -> [String]
    {
        let releases = listing.filter { !$0.hasPrefix(".") && !$0.isEmpty }
        return releases.dropFirst(keep).filter { $0 != current && $0 != previous }
    }
}
