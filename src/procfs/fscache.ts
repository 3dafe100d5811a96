/**
 * `/proc/fs/fscache/stats`: FS-Cache statistics (`CONFIG_FSCACHE_STATS`). The typed fields follow the
 * pre-5.17 layout Go procfs knows; the whole file is also kept by section and key in `sections`, which
 * is how the netfs-based layout of Linux 5.17+ (`Cookies: n= v= vcol=`, `IO:`, …) is read.
 *
 * Go procfs: `FS.Fscacheinfo() Fscacheinfo`.
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, lines, record, uint } from './system_util.js';

/** FS-Cache statistics (Go procfs: `Fscacheinfo`). Each typed field is absent when the kernel does not print it. */
export interface Fscacheinfo {
  /** Index cookies allocated (`Cookies: idx=`). */
  indexCookiesAllocated?: number;
  /** Data storage cookies allocated (`Cookies: dat=`). */
  dataStorageCookiesAllocated?: number;
  /** Special cookies allocated (`Cookies: spc=`). */
  specialCookiesAllocated?: number;
  /** Objects allocated (`Objects: alc=`). */
  objectsAllocated?: number;
  /** Object allocation failures (`Objects: nal=`). */
  objectAllocationsFailure?: number;
  /** Objects that reached the available state (`Objects: avl=`). */
  objectsAvailable?: number;
  /** Objects that reached the dead state (`Objects: ded=`). */
  objectsDead?: number;
  /** Objects that had no coherency check (`ChkAux: non=`). */
  objectsWithoutCoherencyCheck?: number;
  /** Objects that passed a coherency check (`ChkAux: ok=`). */
  objectsWithCoherencyCheck?: number;
  /** Objects that needed a coherency data update (`ChkAux: upd=`). */
  objectsNeedCoherencyCheckUpdate?: number;
  /** Objects declared obsolete (`ChkAux: obs=`). */
  objectsDeclaredObsolete?: number;
  /** Pages marked as being cached (`Pages: mrk=`). */
  pagesMarkedAsBeingCached?: number;
  /** Uncache page requests seen (`Pages: unc=`). */
  uncachePagesRequestSeen?: number;
  /** Acquire cookie requests seen (`Acquire: n=`). */
  acquireCookiesRequestSeen?: number;
  /** Acquire requests given a NULL parent (`Acquire: nul=`). */
  acquireRequestsWithNullParent?: number;
  /** Acquire requests rejected: no cache available (`Acquire: noc=`). */
  acquireRequestsRejectedNoCacheAvailable?: number;
  /** Acquire requests succeeded (`Acquire: ok=`). */
  acquireRequestsSucceeded?: number;
  /** Acquire requests rejected due to error (`Acquire: nbf=`). */
  acquireRequestsRejectedDueToError?: number;
  /** Acquire requests failed on ENOMEM (`Acquire: oom=`). */
  acquireRequestsFailedDueToEnomem?: number;
  /** Lookup calls made on cache backends (`Lookups: n=`). */
  lookupsNumber?: number;
  /** Negative lookups (`Lookups: neg=`). */
  lookupsNegative?: number;
  /** Positive lookups (`Lookups: pos=`). */
  lookupsPositive?: number;
  /** Objects created by lookup (`Lookups: crt=`). */
  objectsCreatedByLookup?: number;
  /** Lookups timed out and requeued (`Lookups: tmo=`). */
  lookupsTimedOutAndRequed?: number;
  /** Invalidations (`Invals: n=`). */
  invalidationsNumber?: number;
  /** Invalidations granted CPU time (`Invals: run=`). */
  invalidationsRunning?: number;
  /** Update cookie requests seen (`Updates: n=`). */
  updateCookieRequestSeen?: number;
  /** Update requests given a NULL parent (`Updates: nul=`). */
  updateRequestsWithNullParent?: number;
  /** Update requests granted CPU time (`Updates: run=`). */
  updateRequestsRunning?: number;
  /** Relinquish cookie requests seen (`Relinqs: n=`). */
  relinquishCookiesRequestSeen?: number;
  /** Relinquish requests given a NULL parent (`Relinqs: nul=`). */
  relinquishCookiesWithNullParent?: number;
  /** Relinquish requests that waited on completion of creation (`Relinqs: wcr=`). */
  relinquishRequestsWaitingCompleteCreation?: number;
  /** Relinquish retries (`Relinqs: rtr=`). */
  relinquishRetries?: number;
  /** Attribute changed requests seen (`AttrChg: n=`). */
  attributeChangedRequestsSeen?: number;
  /** Attribute changed requests queued (`AttrChg: ok=`). */
  attributeChangedRequestsQueued?: number;
  /** Attribute changed requests rejected with ENOBUFS (`AttrChg: nbf=`). */
  attributeChangedRejectDueToEnobufs?: number;
  /** Attribute changed requests failed with ENOMEM (`AttrChg: oom=`). */
  attributeChangedFailedDueToEnomem?: number;
  /** Attribute changed operations given CPU time (`AttrChg: run=`). */
  attributeChangedOps?: number;
  /** Allocation requests seen (`Allocs: n=`). */
  allocationRequestsSeen?: number;
  /** Successful allocation requests (`Allocs: ok=`). */
  allocationOkRequests?: number;
  /** Allocation requests that waited on lookup completion (`Allocs: wt=`). */
  allocationWaitingOnLookup?: number;
  /** Allocation requests rejected with ENOBUFS (`Allocs: nbf=`). */
  allocationsRejectedDueToEnobufs?: number;
  /** Allocation requests aborted with ERESTARTSYS (`Allocs: int=`). */
  allocationsAbortedDueToErestartsys?: number;
  /** Allocation requests submitted (`Allocs: ops=`). */
  allocationOperationsSubmitted?: number;
  /** Allocation requests that waited for CPU time (`Allocs: owt=`). */
  allocationsWaitedForCPU?: number;
  /** Allocation requests aborted due to object death (`Allocs: abt=`). */
  allocationsAbortedDueToObjectDeath?: number;
  /** Retrieval (read) requests seen (`Retrvls: n=`). */
  retrievalsReadRequests?: number;
  /** Successful retrieval requests (`Retrvls: ok=`). */
  retrievalsOk?: number;
  /** Retrieval requests that waited on lookup completion (`Retrvls: wt=`). */
  retrievalsWaitingLookupCompletion?: number;
  /** Retrieval requests that returned ENODATA (`Retrvls: nod=`). */
  retrievalsReturnedEnodata?: number;
  /** Retrieval requests rejected with ENOBUFS (`Retrvls: nbf=`). */
  retrievalsRejectedDueToEnobufs?: number;
  /** Retrieval requests aborted with ERESTARTSYS (`Retrvls: int=`). */
  retrievalsAbortedDueToErestartsys?: number;
  /** Retrieval requests failed with ENOMEM (`Retrvls: oom=`). */
  retrievalsFailedDueToEnomem?: number;
  /** Retrieval requests submitted (`Retrvls: ops=`). */
  retrievalsRequests?: number;
  /** Retrieval requests that waited for CPU time (`Retrvls: owt=`). */
  retrievalsWaitingCPU?: number;
  /** Retrieval requests aborted due to object death (`Retrvls: abt=`). */
  retrievalsAbortedDueToObjectDeath?: number;
  /** Storage (write) requests seen (`Stores: n=`). */
  storeWriteRequests?: number;
  /** Successful store requests (`Stores: ok=`). */
  storeSuccessfulRequests?: number;
  /** Store requests on a page already pending storage (`Stores: agn=`). */
  storeRequestsOnPendingStorage?: number;
  /** Store requests rejected with ENOBUFS (`Stores: nbf=`). */
  storeRequestsRejectedDueToEnobufs?: number;
  /** Store requests failed with ENOMEM (`Stores: oom=`). */
  storeRequestsFailedDueToEnomem?: number;
  /** Store requests submitted (`Stores: ops=`). */
  storeRequestsSubmitted?: number;
  /** Store requests granted CPU time (`Stores: run=`). */
  storeRequestsRunning?: number;
  /** Pages given store request processing time (`Stores: pgs=`). */
  storePagesWithRequestsProcessing?: number;
  /** Store requests deleted from the tracking tree (`Stores: rxd=`). */
  storeRequestsDeleted?: number;
  /** Store requests over the store limit (`Stores: olm=`). */
  storeRequestsOverStoreLimit?: number;
  /** Release requests against pages with no pending store (`VmScan: nos=`). */
  releaseRequestsAgainstPagesWithNoPendingStorage?: number;
  /** Release requests against pages stored by the time the lock was granted (`VmScan: gon=`). */
  releaseRequestsAgainstPagesStoredByTimeLockGranted?: number;
  /** Release requests ignored due to an in-progress store (`VmScan: bsy=`). */
  releaseRequestsIgnoredDueToInProgressStore?: number;
  /** Page stores cancelled due to a release request (`VmScan: can=`). */
  pageStoresCancelledByReleaseRequests?: number;
  /** Page stores waited on by vmscan (`VmScan: wt=`). */
  vmscanWaiting?: number;
  /** Times async operations were added to pending queues (`Ops: pend=`). */
  opsPending?: number;
  /** Times async operations were given CPU time (`Ops: run=`). */
  opsRunning?: number;
  /** Times async operations were queued for processing (`Ops: enq=`). */
  opsEnqueued?: number;
  /** Async operations cancelled (`Ops: can=`). */
  opsCancelled?: number;
  /** Async operations rejected due to object lookup/create failure (`Ops: rej=`). */
  opsRejected?: number;
  /** Async operations initialised (`Ops: ini=`). */
  opsInitialised?: number;
  /** Async operations queued for deferred release (`Ops: dfr=`). */
  opsDeferred?: number;
  /** Async operations released (`Ops: rel=`). */
  opsReleased?: number;
  /** Deferred-release async operations garbage collected (`Ops: gc=`). */
  opsGarbageCollected?: number;
  /** In-progress alloc_object() cache operations (`CacheOp: alo=`). */
  cacheopAllocationsinProgress?: number;
  /** In-progress lookup_object() cache operations (`CacheOp: luo=`). */
  cacheopLookupObjectInProgress?: number;
  /** In-progress lookup_complete() cache operations (Go procfs: CacheopLookupCompleteInPorgress) (`CacheOp: luc=`). */
  cacheopLookupCompleteInProgress?: number;
  /** In-progress grab_object() cache operations (`CacheOp: gro=`). */
  cacheopGrabObjectInProgress?: number;
  /** In-progress invalidate_object() cache operations (`CacheOp: inv=`). */
  cacheopInvalidations?: number;
  /** In-progress update_object() cache operations (`CacheOp: upo=`). */
  cacheopUpdateObjectInProgress?: number;
  /** In-progress drop_object() cache operations (`CacheOp: dro=`). */
  cacheopDropObjectInProgress?: number;
  /** In-progress put_object() cache operations (`CacheOp: pto=`). */
  cacheopPutObjectInProgress?: number;
  /** In-progress attr_changed() cache operations (`CacheOp: atc=`). */
  cacheopAttributeChangeInProgress?: number;
  /** In-progress sync_cache() cache operations (`CacheOp: syn=`). */
  cacheopSyncCacheInProgress?: number;
  /** In-progress read_or_alloc_page() cache operations (`CacheOp: rap=`). */
  cacheopReadOrAllocPageInProgress?: number;
  /** In-progress read_or_alloc_pages() cache operations (`CacheOp: ras=`). */
  cacheopReadOrAllocPagesInProgress?: number;
  /** In-progress allocate_page() cache operations (`CacheOp: alp=`). */
  cacheopAllocatePageInProgress?: number;
  /** In-progress allocate_pages() cache operations (`CacheOp: als=`). */
  cacheopAllocatePagesInProgress?: number;
  /** In-progress write_page() cache operations (`CacheOp: wrp=`). */
  cacheopWritePagesInProgress?: number;
  /** In-progress uncache_page() cache operations (`CacheOp: ucp=`). */
  cacheopUncachePagesInProgress?: number;
  /** In-progress dissociate_pages() cache operations (`CacheOp: dsp=`). */
  cacheopDissociatePagesInProgress?: number;
  /** Object lookups/creations rejected for lack of space (`CacheEv: nsp=`). */
  cacheevLookupsAndCreationsRejectedLackSpace?: number;
  /** Stale objects deleted (`CacheEv: stl=`). */
  cacheevStaleObjectsDeleted?: number;
  /** Objects retired when relinquished (`CacheEv: rtr=`). */
  cacheevRetiredWhenReliquished?: number;
  /** Objects culled (`CacheEv: cul=`). */
  cacheevObjectsCulled?: number;
  /** Every `Section: key=value` of the file: section name (trimmed) → key → value. */
  sections: Record<string, Record<string, number>>;
}

const NAMES: Record<string, string> = {
  'Cookies:idx': 'indexCookiesAllocated',
  'Cookies:dat': 'dataStorageCookiesAllocated',
  'Cookies:spc': 'specialCookiesAllocated',
  'Objects:alc': 'objectsAllocated',
  'Objects:nal': 'objectAllocationsFailure',
  'Objects:avl': 'objectsAvailable',
  'Objects:ded': 'objectsDead',
  'ChkAux:non': 'objectsWithoutCoherencyCheck',
  'ChkAux:ok': 'objectsWithCoherencyCheck',
  'ChkAux:upd': 'objectsNeedCoherencyCheckUpdate',
  'ChkAux:obs': 'objectsDeclaredObsolete',
  'Pages:mrk': 'pagesMarkedAsBeingCached',
  'Pages:unc': 'uncachePagesRequestSeen',
  'Acquire:n': 'acquireCookiesRequestSeen',
  'Acquire:nul': 'acquireRequestsWithNullParent',
  'Acquire:noc': 'acquireRequestsRejectedNoCacheAvailable',
  'Acquire:ok': 'acquireRequestsSucceeded',
  'Acquire:nbf': 'acquireRequestsRejectedDueToError',
  'Acquire:oom': 'acquireRequestsFailedDueToEnomem',
  'Lookups:n': 'lookupsNumber',
  'Lookups:neg': 'lookupsNegative',
  'Lookups:pos': 'lookupsPositive',
  'Lookups:crt': 'objectsCreatedByLookup',
  'Lookups:tmo': 'lookupsTimedOutAndRequed',
  'Invals:n': 'invalidationsNumber',
  'Invals:run': 'invalidationsRunning',
  'Updates:n': 'updateCookieRequestSeen',
  'Updates:nul': 'updateRequestsWithNullParent',
  'Updates:run': 'updateRequestsRunning',
  'Relinqs:n': 'relinquishCookiesRequestSeen',
  'Relinqs:nul': 'relinquishCookiesWithNullParent',
  'Relinqs:wcr': 'relinquishRequestsWaitingCompleteCreation',
  'Relinqs:rtr': 'relinquishRetries',
  'AttrChg:n': 'attributeChangedRequestsSeen',
  'AttrChg:ok': 'attributeChangedRequestsQueued',
  'AttrChg:nbf': 'attributeChangedRejectDueToEnobufs',
  'AttrChg:oom': 'attributeChangedFailedDueToEnomem',
  'AttrChg:run': 'attributeChangedOps',
  'Allocs:n': 'allocationRequestsSeen',
  'Allocs:ok': 'allocationOkRequests',
  'Allocs:wt': 'allocationWaitingOnLookup',
  'Allocs:nbf': 'allocationsRejectedDueToEnobufs',
  'Allocs:int': 'allocationsAbortedDueToErestartsys',
  'Allocs:ops': 'allocationOperationsSubmitted',
  'Allocs:owt': 'allocationsWaitedForCPU',
  'Allocs:abt': 'allocationsAbortedDueToObjectDeath',
  'Retrvls:n': 'retrievalsReadRequests',
  'Retrvls:ok': 'retrievalsOk',
  'Retrvls:wt': 'retrievalsWaitingLookupCompletion',
  'Retrvls:nod': 'retrievalsReturnedEnodata',
  'Retrvls:nbf': 'retrievalsRejectedDueToEnobufs',
  'Retrvls:int': 'retrievalsAbortedDueToErestartsys',
  'Retrvls:oom': 'retrievalsFailedDueToEnomem',
  'Retrvls:ops': 'retrievalsRequests',
  'Retrvls:owt': 'retrievalsWaitingCPU',
  'Retrvls:abt': 'retrievalsAbortedDueToObjectDeath',
  'Stores:n': 'storeWriteRequests',
  'Stores:ok': 'storeSuccessfulRequests',
  'Stores:agn': 'storeRequestsOnPendingStorage',
  'Stores:nbf': 'storeRequestsRejectedDueToEnobufs',
  'Stores:oom': 'storeRequestsFailedDueToEnomem',
  'Stores:ops': 'storeRequestsSubmitted',
  'Stores:run': 'storeRequestsRunning',
  'Stores:pgs': 'storePagesWithRequestsProcessing',
  'Stores:rxd': 'storeRequestsDeleted',
  'Stores:olm': 'storeRequestsOverStoreLimit',
  'VmScan:nos': 'releaseRequestsAgainstPagesWithNoPendingStorage',
  'VmScan:gon': 'releaseRequestsAgainstPagesStoredByTimeLockGranted',
  'VmScan:bsy': 'releaseRequestsIgnoredDueToInProgressStore',
  'VmScan:can': 'pageStoresCancelledByReleaseRequests',
  'VmScan:wt': 'vmscanWaiting',
  'Ops:pend': 'opsPending',
  'Ops:run': 'opsRunning',
  'Ops:enq': 'opsEnqueued',
  'Ops:can': 'opsCancelled',
  'Ops:rej': 'opsRejected',
  'Ops:ini': 'opsInitialised',
  'Ops:dfr': 'opsDeferred',
  'Ops:rel': 'opsReleased',
  'Ops:gc': 'opsGarbageCollected',
  'CacheOp:alo': 'cacheopAllocationsinProgress',
  'CacheOp:luo': 'cacheopLookupObjectInProgress',
  'CacheOp:luc': 'cacheopLookupCompleteInProgress',
  'CacheOp:gro': 'cacheopGrabObjectInProgress',
  'CacheOp:inv': 'cacheopInvalidations',
  'CacheOp:upo': 'cacheopUpdateObjectInProgress',
  'CacheOp:dro': 'cacheopDropObjectInProgress',
  'CacheOp:pto': 'cacheopPutObjectInProgress',
  'CacheOp:atc': 'cacheopAttributeChangeInProgress',
  'CacheOp:syn': 'cacheopSyncCacheInProgress',
  'CacheOp:rap': 'cacheopReadOrAllocPageInProgress',
  'CacheOp:ras': 'cacheopReadOrAllocPagesInProgress',
  'CacheOp:alp': 'cacheopAllocatePageInProgress',
  'CacheOp:als': 'cacheopAllocatePagesInProgress',
  'CacheOp:wrp': 'cacheopWritePagesInProgress',
  'CacheOp:ucp': 'cacheopUncachePagesInProgress',
  'CacheOp:dsp': 'cacheopDissociatePagesInProgress',
  'CacheEv:nsp': 'cacheevLookupsAndCreationsRejectedLackSpace',
  'CacheEv:stl': 'cacheevStaleObjectsDeleted',
  'CacheEv:rtr': 'cacheevRetiredWhenReliquished',
  'CacheEv:cul': 'cacheevObjectsCulled',
};

/**
 * Parse the text of `/proc/fs/fscache/stats`. A section may span several lines (`Allocs :` twice).
 * @throws ParseError on a line that is not `Section: key=value …` (after the title line).
 */
export function parseFscacheinfo(text: string, file = '/proc/fs/fscache/stats'): Fscacheinfo {
  const ls = lines(text);
  if (!/^FS-Cache statistics/.test(ls[0] ?? '')) {
    fail(firstLineAt(ls, file), 'missing the "FS-Cache statistics" title');
  }
  const out: Record<string, unknown> & { sections: Record<string, Record<string, number>> } = { sections: record() };
  for (const w of rowsAt(ls, file)) {
    const t = w.text;
    const c = t.indexOf(':');
    if (c <= 0) fail(w, 'expected "Section: key=value …"');
    const sec = t.slice(0, c).trim();
    if (!(sec in out.sections)) out.sections[sec] = record<number>();
    const s = out.sections[sec]!;
    for (const kv of fields(t.slice(c + 1))) {
      const eq = kv.indexOf('=');
      if (eq <= 0) fail(w, `expected key=value, found ${JSON.stringify(kv)}`);
      const k = kv.slice(0, eq);
      const v = uint(kv.slice(eq + 1), w, k);
      s[k] = v;
      const key = `${sec}:${k}`;
      if (Object.hasOwn(NAMES, key)) out[NAMES[key]!] = v;
    }
  }
  return out as unknown as Fscacheinfo;
}
