%% The Erlang side of `girder bench`: the entry point and what every
%% workload module shares (clock, percentiles, memory readings).
%%
%% `erl -noshell +S N:N +P P -pa DIR -run gb main Workload Case Runs Args...`
%% runs gb_<Workload>:run([Args as integers]) Runs times in this VM and
%% prints each figure a run returns as `@ Case.Key Value`, the line format
%% the Rust runners print too. Any exception prints `# error ...` and halts
%% with status 1.
-module(gb).
-export([main/1, version/0]).
-export([clock/0, ns_per/2, percentile/2, rss/0, peak_rss/0, reset_peak_rss/0,
         start_rss/0, wait_processes/1]).

main([Workload, Case, Runs | Args]) ->
    try
        Mod = list_to_atom("gb_" ++ Workload),
        Params = [list_to_integer(A) || A <- Args],
        lists:foreach(fun(_) -> report(Case, Mod:run(Params)) end,
                      lists:seq(1, list_to_integer(Runs))),
        halt(0)
    catch Class:Reason:Stack ->
        io:format("# error ~0p:~0p~n# stack ~0p~n", [Class, Reason, Stack]),
        halt(1)
    end.

%% Prints `# otp R` and `# erts V`.
version() ->
    io:format("# otp ~s~n# erts ~s~n",
              [erlang:system_info(otp_release), erlang:system_info(version)]),
    halt(0).

report(Case, Samples) ->
    lists:foreach(
      fun({Key, Value}) ->
              io:format("@ ~s.~s ~s~n",
                        [Case, Key, float_to_list(float(Value), [short])])
      end, Samples).

%% Nanoseconds of the monotonic clock.
clock() -> erlang:monotonic_time(nanosecond).

%% Nanoseconds since Start, per Ops operations.
ns_per(Start, Ops) -> (clock() - Start) / max(Ops, 1).

%% The value at percentile P (0-100) of a sorted, non-empty list.
percentile(Sorted, P) ->
    T = list_to_tuple(Sorted),
    N = tuple_size(T),
    element(1 + ((N - 1) * P) div 100, T).

%% This OS process's resident set (VmRSS, the resident count of statm), bytes.
rss() -> status_kib(<<"VmRSS:">>).

%% The peak resident set since start or the last reset_peak_rss/0 (VmHWM).
peak_rss() -> status_kib(<<"VmHWM:">>).

%% Resets the peak resident set to the current one (Linux >= 4.0).
reset_peak_rss() -> ok = file:write_file("/proc/self/clear_refs", <<"5">>).

%% The resident set when this VM ran its first start_rss/0.
start_rss() ->
    case get(gb_start_rss) of
        undefined -> R = rss(), put(gb_start_rss, R), R;
        R -> R
    end.

%% Yields until no more than Base processes are alive.
wait_processes(Base) ->
    case erlang:system_info(process_count) > Base of
        true -> erlang:yield(), wait_processes(Base);
        false -> ok
    end.

status_kib(Field) ->
    {ok, Status} = file:read_file("/proc/self/status"),
    [Line] = [L || L <- binary:split(Status, <<"\n">>, [global]),
                   binary:longest_common_prefix([L, Field]) =:= byte_size(Field)],
    [_, Kib, <<"kB">>] = binary:split(Line, [<<" ">>, <<"\t">>], [global, trim_all]),
    binary_to_integer(Kib) * 1024.
