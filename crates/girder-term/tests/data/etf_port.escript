#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noinput
%% The Erlang side of girder-term's live round-trip tests and of its codec
%% benchmark. Speaks 4-byte length-prefixed packets on stdin/stdout; each
%% request is an ETF term (encoded by girder-term), each reply a packet:
%%
%%   {echo, Bin}          -> term_to_binary({ok, T, term_to_binary(T, [{minor_version, 2}]), ~w of T})
%%                           where T = binary_to_term(Bin), or {error, Why}
%%   {eval, Expr}         -> term_to_binary(T, [{minor_version, 2}]) of the value of
%%                           the Erlang expression Expr (a binary), then reads one
%%                           more packet Bin2 (the peer's re-encoding) and replies
%%                           term_to_binary({binary_to_term(Bin2) =:= T, Bin2 =:= first reply})
%%   {bench_encode, Bin, N} -> term_to_binary(Ns): nanoseconds to run
%%                           term_to_binary(T) N times, T = binary_to_term(Bin)
%%   {bench_decode, Bin, N} -> term_to_binary(Ns): nanoseconds to run
%%                           binary_to_term(Bin) N times
%%   stop                 -> exits
-module(girder_etf_port).
-mode(compile).

main(_) ->
    Port = open_port({fd, 0, 1}, [{packet, 4}, binary, eof]),
    loop(Port).

loop(Port) ->
    case recv(Port) of
        eof -> halt(0);
        Req ->
            case catch binary_to_term(Req) of
                stop -> halt(0);
                {echo, Bin} -> send(Port, echo(Bin)), loop(Port);
                {eval, Expr} -> eval(Port, Expr), loop(Port);
                {bench_encode, Bin, N} ->
                    T = binary_to_term(Bin),
                    send(Port, term_to_binary(time_n(fun() -> term_to_binary(T) end, N))),
                    loop(Port);
                {bench_decode, Bin, N} ->
                    send(Port, term_to_binary(time_n(fun() -> binary_to_term(Bin) end, N))),
                    loop(Port);
                Other ->
                    send(Port, term_to_binary({error, {bad_request, Other}})),
                    loop(Port)
            end
    end.

recv(Port) ->
    receive
        {Port, {data, Data}} -> Data;
        {Port, eof} -> eof
    end.

send(Port, Bin) -> Port ! {self(), {command, Bin}}.

echo(Bin) ->
    case catch binary_to_term(Bin) of
        {'EXIT', Why} -> term_to_binary({error, Why});
        T -> term_to_binary({ok, T, term_to_binary(T, [{minor_version, 2}]),
                             iolist_to_binary(io_lib:format("~w", [T]))},
                            [{minor_version, 2}])
    end.

eval(Port, Expr) ->
    {ok, Tokens, _} = erl_scan:string(binary_to_list(Expr) ++ "."),
    {ok, Exprs} = erl_parse:parse_exprs(Tokens),
    {value, T, _} = erl_eval:exprs(Exprs, []),
    First = term_to_binary(T, [{minor_version, 2}]),
    send(Port, First),
    Bin2 = recv(Port),
    Same = case catch binary_to_term(Bin2) of
               {'EXIT', _} -> false;
               T2 -> T2 =:= T
           end,
    send(Port, term_to_binary({Same, Bin2 =:= First})).

time_n(F, N) ->
    T0 = erlang:monotonic_time(nanosecond),
    repeat(F, N),
    erlang:monotonic_time(nanosecond) - T0.

repeat(_, 0) -> ok;
repeat(F, N) -> F(), repeat(F, N - 1).
